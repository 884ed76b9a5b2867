// The emulated container runtime of a worker: one container per task, running a built-in image
// (nginx, httpd, traefik/whoami, busybox/alpine, redis) or a generic idle process.

export { ContainerRuntime, type PulledImage } from './runtime.js';
export type { InteractiveShell } from './shell/interactive.js';
export { ImageNotFoundError, TemplateExpansionError, ContainerStartError, ContainerStateError } from './errors.js';
export { BUILT_IN_IMAGES } from './images/catalog.js';
export { parseImageReference, repositoryName, type ImageReference } from './images/reference.js';
export { secretPath, configPath, SECRETS_DIR } from './rootfs.js';
export { swarmContext, expand, expandContainerFields, expandPayload, type TemplateTask } from './template/swarm.js';
export { TemplateError } from './template/execute.js';
export type {
  Container,
  ContainerConfig,
  ContainerRuntimeOptions,
  ContainerState,
  ContainerStatus,
  EngineEvent,
  ExecOptions,
  ExecResult,
  FileMount,
  InitInput,
  MountConfig,
  LogLine,
  LogOptions,
  LogStream,
  RuntimeLog,
} from './types.js';
