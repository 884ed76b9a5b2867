// The public shapes of the emulated container runtime: what the agent hands over for a task
// (ContainerConfig), what it reads back (ContainerStatus, logs), and the Container handle.

import type { InteractiveShell } from './shell/interactive.js';
import type { VolumeStore } from './volumes.js';

export interface FileMount {
  /** Docker's target: secrets relative to /run/secrets, configs relative to /; absolute used as is. */
  target: string;
  uid: string;
  gid: string;
  /** Permission bits, e.g. 0o444. */
  mode: number;
  data: Buffer;
}

export interface ContainerConfig {
  taskId: string;
  serviceId: string;
  serviceName: string;
  nodeId: string;
  /** Replicated tasks only; global tasks have none (templates then see the node ID as the slot). */
  slot?: number;
  /** e.g. "web.1.<taskid>" */
  taskName: string;
  /** As given, tag/digest kept, e.g. "nginx:latest@sha256:..." */
  image: string;
  /** ContainerSpec.Command: replaces the image's ENTRYPOINT. */
  command?: string[];
  /** ContainerSpec.Args: replaces the image's CMD. */
  args?: string[];
  /** KEY=VALUE; values may hold Go templates (SwarmKit expands them on the agent). */
  env?: string[];
  /** May hold Go templates ({{.Service.Name}}, {{.Task.Slot}}, {{.Node.Hostname}} …). */
  hostname?: string;
  /** ContainerSpec.Labels; the com.docker.swarm.* labels are added by the runtime. */
  labels?: Record<string, string>;
  /** The service's labels, for {{.Service.Labels}} / {{index .Service.Labels "k"}} in templates. */
  serviceLabels?: Record<string, string>;
  user?: string;
  dir?: string;
  tty?: boolean;
  secrets?: FileMount[];
  configs?: FileMount[];
  /** ContainerSpec.Mounts: volume and tmpfs mounts are made (sources and targets may hold templates); bind mounts are not. */
  mounts?: MountConfig[];
  /** ContainerSpec.ReadOnly (`--read-only`): the root filesystem refuses writes; volumes and tmpfs mounts do not. */
  readOnlyRoot?: boolean;
  /** The ports the container listens on. */
  ports?: { targetPort: number; protocol: 'tcp' | 'udp' }[];
  /** The loopback address this container's sockets bind (e.g. 127.12.130.7); unique per container. */
  bindAddress: string;
  /**
   * The container's addresses as its programs report them (whoami's `IP:` lines, `hostname -i`),
   * e.g. its overlay addresses. Default: [bindAddress].
   */
  addresses?: string[];
  /** A per-container directory for its filesystem. */
  rootDir: string;
  nodeHostname: string;
  nodeOs?: string;
  nodeArch?: string;
}

/** A local event of the engine (moby events.Message with scope local). */
export interface EngineEvent {
  type: 'container' | 'image' | 'volume';
  /** create, start, kill, die, stop, destroy; pull; mount, unmount… */
  action: string;
  /** The container ID, the image reference, the volume name. */
  id: string;
  attributes: Record<string, string>;
}

export interface MountConfig {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  /** The volume's name (none: a new anonymous volume). */
  source?: string;
  target: string;
  readOnly?: boolean;
  /** VolumeOptions: the new volume's labels, and whether the image's files at the target are copied into it. */
  labels?: Record<string, string>;
  noCopy?: boolean;
}

/** A mount as `docker inspect` shows it (Mounts). */
export interface ContainerMount {
  Type: 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  /** 64 lowercase hex. */
  id: string;
  state: ContainerState;
  exitCode?: number;
  /** A fake pid, stable while the container runs; 0 when it does not (as Docker reports). */
  pid: number;
  startedAt?: string;
  finishedAt?: string;
  /** Why the container could not start (Docker's State.Error). */
  error?: string;
}

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  stream: LogStream;
  /** RFC3339Nano, from the runtime's clock. */
  time: string;
  line: string;
}

export interface LogOptions {
  /** Emulated ms since the epoch; lines written at or after it (Docker's --since). */
  since?: number;
  /** Emulated ms since the epoch; lines written before it (Docker's --until). */
  until?: number;
  /** The last N lines (applied before since/until, as Docker's json-file reader does). */
  tail?: number;
  /** Keep yielding new lines until the container exits or `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface ExecOptions {
  env?: string[];
  user?: string;
  dir?: string;
  /** The command's whole stdin (default: none). */
  stdin?: string;
  /** Receives the output as it is written (it is in the result too). */
  onOutput?: (stream: LogStream, text: string) => void;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * What a client attached before the start gives PID 1 (docker run without -d): its whole stdin
 * once the client has closed its side (`-i`), or, for a shell on a TTY (`-it`), a terminal that
 * runs the shell line by line and resolves with its exit status; `log` records the shell's output
 * in the container's log.
 */
export interface InitInput {
  stdin?: Promise<string>;
  terminal?: (shell: InteractiveShell, log: (text: string) => void) => Promise<number>;
}

export interface Container {
  readonly id: string;
  readonly config: ContainerConfig;
  /** The expanded hostname (default: the ID's first 12 characters). */
  readonly hostname: string;
  /** The process environment: PATH, HOSTNAME, then the image's and the spec's variables. */
  readonly env: string[];
  /** Config.Env as `docker inspect` shows it: the image's variables merged with the spec's. */
  readonly configEnv: string[];
  /** Config.Labels: the spec's labels plus the com.docker.swarm.* ones. */
  readonly labels: Record<string, string>;
  /** Its volume and tmpfs mounts, as docker inspect shows them. */
  readonly mounts: ContainerMount[];
  /** Path and Args as `docker inspect` shows them (entrypoint/cmd merged with the spec). */
  readonly path: string;
  readonly processArgs: string[];
  status(): ContainerStatus;
  start(input?: InitInput): Promise<void>;
  /** Sends the image's stop signal; kills after timeoutMs (emulated, default 10 s). */
  stop(timeoutMs?: number): Promise<void>;
  kill(): Promise<void>;
  /** Kills if needed, closes everything and deletes rootDir. */
  remove(): Promise<void>;
  /** Resolves with the exit code once the container has exited. */
  wait(): Promise<number>;
  /** Resolves once the container has been removed. */
  untilRemoved(): Promise<void>;
  logs(opts?: LogOptions): AsyncIterable<LogLine>;
  /** Runs a command inside the running container (docker exec): its output is not logged. */
  exec(cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * `docker exec -it CONTAINER sh`: the shell, kept from one typed line to the next; or the
   * runtime's error text when the image has no such program.
   */
  interactiveShell(shell: string, opts?: Omit<ExecOptions, 'stdin' | 'onOutput'>): InteractiveShell | string;
}

export interface RuntimeLog {
  (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface ContainerRuntimeOptions {
  /** Refuse images that are not built in with "No such image: <image>", as a registry-less daemon. */
  rejectUnknownImages?: boolean;
  /**
   * The node's clock: log times and startedAt/finishedAt come from now(); with toReal, sleeps and
   * stop timeouts run in emulated time (an emulated clock that runs faster shortens them).
   */
  clock?: { now(): number; toReal?(emulatedMs: number): number };
  /** Diagnostics (never with secret or config contents). */
  log?: RuntimeLog;
  /** Lines kept per container (oldest dropped first). Default 10,000. */
  maxLogLines?: number;
  /** The node's local volumes, for volume mounts. */
  volumes?: VolumeStore;
  /** What `docker events` shows of this engine's containers, images and volumes. */
  onEvent?: (ev: EngineEvent) => void;
  /** Name resolution for programs inside containers (ping, wget, nslookup): every address, as the swarm's DNS answers. */
  lookupName?: (name: string, containerId: string) => string[] | Promise<string[]>;
  /** Connections from programs to the swarm's overlay addresses (VIPs, tasks): the node routes them. */
  connect?: (address: string, port: number, containerId: string) => Promise<import('node:stream').Duplex>;
}
