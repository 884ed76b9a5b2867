// The two daemons the scenario runs against, and what the runner learns about each one before the
// first step (so the normalizer can replace per-daemon facts such as the hostname by tokens).

export type TargetName = 'real' | 'swarmlab';

/** Where the Engine API answers: dockerd's unix socket, or a swarmlab node's TCP port. */
export type EngineEndpoint = { socketPath: string } | { host: string; port: number };

export interface Target {
  name: TargetName;
  /** DOCKER_HOST for the docker CLI. */
  dockerHost: string;
  engine: EngineEndpoint;
  /** The image services run: busybox:local on the real swarm (no registry there). */
  image: string;
  /**
   * The host port `--publish mode=host` uses. One per target: the real engine's docker-proxy binds
   * it on every address, so the two cannot share it.
   */
  hostPort: number;
  /** A directory for files the scenario hands to the CLI (secret and config contents). */
  filesDir: string;
}

/** Per-daemon facts read from /info before the scenario starts. */
export interface TargetFacts {
  nodeId: string;
  hostname: string;
  engineVersion: string;
  nodeAddr: string;
  clusterId: string;
  /** The API version the CLI negotiates with this daemon (min of the client's 1.50 and the daemon's). */
  apiVersion: string;
}

export function describeEndpoint(endpoint: EngineEndpoint): string {
  return 'socketPath' in endpoint ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}
