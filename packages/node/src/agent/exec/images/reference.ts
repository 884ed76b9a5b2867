// Image references as Docker Hub names them: "nginx", "nginx:1.27", "docker.io/library/nginx",
// "traefik/whoami:v1.10@sha256:…". The built-in images are matched by repository path alone.

export interface ImageReference {
  /** The reference as given. */
  raw: string;
  /** Registry host, "docker.io" when none is given. */
  registry: string;
  /** Repository path without the registry: "library/nginx", "traefik/whoami". */
  path: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(raw: string): ImageReference {
  let rest = raw.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component is a registry when it has a dot or a port, or is localhost.
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first === 'index.docker.io' || first === 'registry-1.docker.io' ? 'docker.io' : first;
      rest = rest.slice(slash + 1);
    }
  }
  const path = registry === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { raw, registry, path: path.toLowerCase(), tag, digest };
}

/** "nginx" for Docker Hub official images, "traefik/whoami" for others; registry kept otherwise. */
export function repositoryName(ref: ImageReference): string {
  if (ref.registry !== 'docker.io') return `${ref.registry}/${ref.path}`;
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}
