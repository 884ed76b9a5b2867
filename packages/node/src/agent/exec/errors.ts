// Errors the runtime reports, worded as Docker / SwarmKit word them so the agent can put the
// message straight into a task's status.

/** The image is not built in and the node refuses unknown images (a daemon with no registry). */
export class ImageNotFoundError extends Error {
  constructor(readonly image: string) {
    super(`No such image: ${image}`);
    this.name = 'ImageNotFoundError';
  }
}

/** A Go template in the hostname, env or a mount failed to expand (SwarmKit's wording). */
export class TemplateExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExpansionError';
  }
}

/** The container's process could not be started (runc's error, e.g. an unknown executable). */
export class ContainerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

/** exec or start on a container in the wrong state. */
export class ContainerStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerStateError';
  }
}
