// The images a node pulled, as `docker images`, `docker image inspect`, `docker pull` and `docker
// rmi` see them: GET /images/json, GET /images/{name}/json, POST /images/create, DELETE
// /images/{name}. A node has an image once it pulled it or made a container of it (an emulated
// pull), and keeps it while the engine runs. Built-in images carry their real namesakes' creation
// date and size (about); other images are empty.

import { createHash } from 'node:crypto';
import { decodeFilters } from '@swarmlab/api';
import type { Daemon } from '../daemon/daemon.js';
import type { PulledImage } from '../agent/exec/index.js';
import { parseImageReference, repositoryName } from '../agent/exec/images/reference.js';
import { ApiError } from '../errors.js';
import type { ServerResponse } from 'node:http';
import { boolQuery, type Router } from './http.js';

/** The ID docker ps and docker inspect show for a container's image: one per reference. */
export const imageId = (reference: string) => `sha256:${createHash('sha256').update(reference).digest('hex')}`;

const ACCEPTED_FILTERS = ['dangling', 'label', 'reference'];

interface ImageNames {
  repository: string;
  /** "nginx:alpine", "nginx:latest" for a bare "nginx"; none for a reference by digest alone. */
  tag?: string;
  /** "nginx@sha256:…" for a reference with a digest. */
  digest?: string;
}

export function namesOf(reference: string): ImageNames {
  const ref = parseImageReference(reference);
  const repository = repositoryName(ref);
  const tag = ref.tag ? `${repository}:${ref.tag}` : ref.digest ? undefined : `${repository}:latest`;
  return { repository, tag, digest: ref.digest ? `${repository}@${ref.digest}` : undefined };
}

const createdSeconds = (p: PulledImage) => Math.floor((Date.parse(p.image.created) || p.pulledAt) / 1000);

export function imageSummary(p: PulledImage) {
  const names = namesOf(p.reference);
  return {
    Containers: -1,
    Created: createdSeconds(p),
    Id: imageId(p.reference),
    Labels: null,
    ParentId: '',
    RepoDigests: names.digest ? [names.digest] : [],
    RepoTags: names.tag ? [names.tag] : [],
    SharedSize: -1,
    Size: p.image.size,
  };
}

/** path.Match-style globbing, as moby's reference filter matches "repo" and "repo:tag". */
function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  return re.test(value);
}

function matchesReference(p: PulledImage, patterns: string[] | undefined): boolean {
  if (!patterns?.length) return true;
  const names = namesOf(p.reference);
  const candidates = [names.repository, names.tag, names.digest].filter((n): n is string => n !== undefined);
  return patterns.some((pattern) => candidates.some((c) => globMatches(pattern, c)));
}

/** An image by ID (or unambiguous ID prefix), full reference, or repository[:tag] (":latest" implied). */
export function findImage(daemon: Daemon, ref: string): PulledImage {
  const images = daemon.images();
  const exact = images.find((p) => p.reference === ref);
  if (exact) return exact;
  const wanted = namesOf(ref);
  const byName = images.find((p) => {
    const names = namesOf(p.reference);
    return (wanted.tag !== undefined && names.tag === wanted.tag) || (wanted.digest !== undefined && names.digest === wanted.digest);
  });
  if (byName) return byName;
  const hex = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{1,64}$/.test(hex)) {
    const byId = images.filter((p) => imageId(p.reference).slice('sha256:'.length).startsWith(hex));
    if (byId.length === 1) return byId[0]!;
  }
  throw new ApiError(404, `No such image: ${ref}`);
}

function inspect(p: PulledImage) {
  const names = namesOf(p.reference);
  const image = p.image;
  return {
    Id: imageId(p.reference),
    RepoTags: names.tag ? [names.tag] : [],
    RepoDigests: names.digest ? [names.digest] : [],
    Parent: '',
    Comment: '',
    Created: image.created || new Date(p.pulledAt).toISOString(),
    DockerVersion: '',
    Author: '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: image.env,
      Cmd: image.cmd.length > 0 ? image.cmd : null,
      Image: '',
      Volumes: null,
      WorkingDir: image.workingDir === '/' ? '' : image.workingDir,
      Entrypoint: image.entrypoint.length > 0 ? image.entrypoint : null,
      OnBuild: null,
      Labels: null,
      ...(image.stopSignal !== 'SIGTERM' ? { StopSignal: image.stopSignal } : {}),
    },
    Architecture: 'amd64',
    Os: 'linux',
    Size: image.size,
    GraphDriver: { Data: null, Name: 'overlay2' },
    // The emulated image has no layers on disk.
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

export function imageRoutes(r: Router, daemon: Daemon): void {
  r.on('GET', '/images/json', (req) => {
    const filters = decodeFilters(req.query.get('filters') ?? undefined, ACCEPTED_FILTERS);
    // Every image here has a tag or a digest and no labels: none is dangling, none has a label.
    if (filters.has('dangling') && filters.get('dangling')!.some((v) => v === 'true' || v === '1')) return [];
    if (filters.get('label')?.length) return [];
    return daemon
      .images()
      .filter((p) => matchesReference(p, filters.get('reference')))
      .map(imageSummary)
      .sort((a, b) => b.Created - a.Created);
  });
  r.on('GET', '/images/{name*}/json', (req) => inspect(findImage(daemon, req.params.name!)));
  // docker pull: the emulated registry has every built-in image (and, unless the node refuses
  // unknown images, any other as a generic one); the answer streams as dockerd's does, without the
  // digest line (the emulated images have no manifest).
  r.on('POST', '/images/create', async (req, res: ServerResponse) => {
    const from = req.query.get('fromImage');
    if (!from) throw new ApiError(400, req.query.get('fromSrc') ? 'importing an image is not emulated: pull one with fromImage' : 'fromImage is required');
    const tag = req.query.get('tag') ?? '';
    const reference = tag === '' ? from : tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`;
    const ref = parseImageReference(reference);
    let fresh: boolean | undefined;
    try {
      fresh = await daemon.pullImage(reference);
    } catch (e) {
      if (e instanceof Error && e.name === 'ImageNotFoundError') {
        throw new ApiError(404, `pull access denied for ${repositoryName(ref)}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
      }
      throw e;
    }
    if (fresh === undefined) throw new ApiError(400, 'images are emulated on swarm nodes only, and this node is not in a swarm');
    const shown = namesOf(reference).tag ?? reference;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify({ status: `Pulling from ${ref.path}`, id: ref.tag ?? ref.digest ?? 'latest' })}\n`);
    res.end(`${JSON.stringify({ status: fresh ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` })}\n`);
  });
  // docker rmi: refused while a container uses the image (a running one even with force), as moby does.
  r.on('DELETE', '/images/{name*}', (req) => {
    const ref = req.params.name!;
    const p = findImage(daemon, ref);
    const id = imageId(p.reference);
    const users = daemon.containers().filter((c) => c.config.image === p.reference);
    const running = users.find((c) => c.status().state === 'running');
    const force = boolQuery(req.query, 'force');
    if (running && force) throw new ApiError(409, `conflict: unable to delete ${id.slice(7, 19)} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    if (users.length > 0 && !force) throw new ApiError(409, `conflict: unable to remove repository reference "${ref}" (must force) - container ${users[0]!.id.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`);
    daemon.removeImage(p.reference);
    const names = namesOf(p.reference);
    return [...(names.tag ? [{ Untagged: names.tag }] : []), ...(names.digest ? [{ Untagged: names.digest }] : []), { Deleted: id }];
  });
}
