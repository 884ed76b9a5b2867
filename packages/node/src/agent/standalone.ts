// Containers a user runs on this node with `docker run`, outside any service: no task, no
// orchestrator. They share the node's runtime (images, volumes, container addresses) with the
// tasks' containers. A name is unique among the node's containers; `--rm` removes the container
// once it exits; `-p` binds the node's address as docker-proxy does, while the container runs;
// `--restart` starts it again as dockerd's restart manager does: after 100 ms, doubling up to a
// minute, back to 100 ms once a run has lasted 10 s; never after `docker stop` or `kill`.

import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Task } from '@swarmlab/api';
import type { Container, ContainerRuntime, InitInput, MountConfig } from './exec/index.js';
import { HostPortError, HostPorts } from './host-ports.js';

export interface StandaloneSpec {
  name: string;
  image: string;
  /** Config.Entrypoint: replaces the image's ENTRYPOINT. */
  entrypoint?: string[];
  /** Config.Cmd: replaces the image's CMD. */
  cmd?: string[];
  env?: string[];
  hostname?: string;
  user?: string;
  dir?: string;
  labels?: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  autoRemove: boolean;
  /** The default bridge, no network at all, or an attachable swarm network (its name or ID). */
  network: 'bridge' | 'none' | { swarm: string };
  mounts: MountConfig[];
  readOnlyRoot: boolean;
  /** -p: TCP ports published on the node's address (0: any free port). */
  ports: { targetPort: number; publishedPort: number }[];
  /** --restart: no, always, unless-stopped, on-failure (with at most maxRetries restarts, 0 for no limit). */
  restart: { name: 'no' | 'always' | 'unless-stopped' | 'on-failure'; maxRetries: number };
}

interface AttachedNetwork {
  networkId: string;
  name: string;
  /** Its address on the network, with the prefix length: 10.0.1.5/24. */
  cidr: string;
}

interface Standalone {
  spec: StandaloneSpec;
  address: string;
  /** On a swarm network: the network attachment task the leader made for it, and its addresses. */
  attachment?: { taskId: string; networks: AttachedNetwork[] };
  proxy?: HostPorts;
  /** The ports as bound while it runs (a 0 made concrete). */
  bound: { targetPort: number; publishedPort: number }[];
  /** Stopped or killed by the user: the restart policy no longer applies. */
  stoppedByUser: boolean;
  /** Restarts since the last run that lasted RESTART_RESET_MS: the back-off's exponent. */
  restarts: number;
  /** The restarts its policy made since the user last started it (docker inspect's RestartCount). */
  restartCount: number;
  restartTimer?: NodeJS.Timeout;
  startedAt?: number;
}

const RESTART_FIRST_DELAY_MS = 100;
const RESTART_MAX_DELAY_MS = 60_000;
const RESTART_RESET_MS = 10_000;

function shouldRestart(s: Standalone, exitCode: number): boolean {
  const { name, maxRetries } = s.spec.restart;
  if (s.stoppedByUser || name === 'no') return false;
  if (name === 'on-failure') return exitCode !== 0 && (maxRetries === 0 || s.restartCount < maxRetries);
  return true;
}

/** A restart its policy scheduled is off. */
function cancelRestart(s: Standalone): void {
  clearTimeout(s.restartTimer);
  s.restartTimer = undefined;
}

export interface StandaloneHost {
  runtime(): Promise<ContainerRuntime>;
  /** A network attachment task of this node for the container, once the leader gave it its address. */
  attachNetwork(target: string, containerId: string, aliases: string[]): Promise<Task>;
  detachNetwork(attachmentId: string): Promise<void>;
  /** A container address of this node's pool, or undefined when all are taken. */
  takeAddress(): string | undefined;
  releaseAddress(address: string): void;
  nodeId(): string;
  nodeHostname: string;
  nodeAddr: string;
  rootDir: string;
}

export class StandaloneContainers {
  private readonly byId = new Map<string, Standalone>();
  private watching: ContainerRuntime | undefined;

  constructor(private readonly host: StandaloneHost) {}

  /** Creates (does not start) the container; the caller has checked the name and the image. */
  async create(spec: StandaloneSpec): Promise<Container> {
    const runtime = await this.host.runtime();
    this.watch(runtime);
    const address = this.host.takeAddress();
    if (!address) throw new Error(`no container address left on this node (${this.host.nodeAddr})`);
    let attachment: Standalone['attachment'];
    try {
      if (typeof spec.network === 'object') attachment = await this.attach(spec.network.swarm, spec.name);
    } catch (e) {
      this.host.releaseAddress(address);
      throw e;
    }
    try {
      const container = await runtime.create({
        taskId: '',
        serviceId: '',
        serviceName: '',
        nodeId: this.host.nodeId(),
        taskName: spec.name,
        image: spec.image,
        command: spec.entrypoint,
        args: spec.cmd,
        env: spec.env,
        hostname: spec.hostname,
        labels: spec.labels,
        user: spec.user,
        dir: spec.dir,
        tty: spec.tty,
        mounts: spec.mounts,
        readOnlyRoot: spec.readOnlyRoot,
        ports: spec.ports.map((p) => ({ targetPort: p.targetPort, protocol: 'tcp' as const })),
        bindAddress: address,
        addresses: attachment?.networks.map((n) => n.cidr.split('/')[0]!),
        rootDir: join(this.host.rootDir, 'containers', `run-${spec.name}`),
        nodeHostname: this.host.nodeHostname,
      });
      this.byId.set(container.id, { spec, address, attachment, bound: [], stoppedByUser: false, restarts: 0, restartCount: 0 });
      return container;
    } catch (e) {
      this.host.releaseAddress(address);
      if (attachment) await this.host.detachNetwork(attachment.taskId).catch(() => undefined);
      throw e;
    }
  }

  /**
   * The container's place on a swarm network: a network attachment task of this node. The
   * container's ID does not exist yet, so a random key stands for it in the task.
   */
  private async attach(target: string, name: string): Promise<NonNullable<Standalone['attachment']>> {
    const task = await this.host.attachNetwork(target, randomBytes(32).toString('hex'), [name]);
    const networks = (task.NetworksAttachments ?? []).flatMap((a) =>
      (a.Addresses ?? []).slice(0, 1).map((cidr) => ({ networkId: a.Network.ID, name: a.Network.Spec?.Name ?? a.Network.ID, cidr })),
    );
    return { taskId: task.ID, networks };
  }

  /**
   * Publishes its ports, then starts PID 1 with what an attached client gives it. A start by the
   * user (not by the restart policy) counts the policy's restarts from zero again, as dockerd does.
   */
  async start(container: Container, input?: InitInput, byPolicy = false): Promise<void> {
    const s = this.byId.get(container.id);
    if (s) {
      if (!byPolicy) s.restarts = s.restartCount = 0;
      s.stoppedByUser = false;
      cancelRestart(s);
      s.startedAt = Date.now();
    }
    if (s && !s.proxy && s.spec.ports.length > 0) {
      try {
        const { proxy, bound } = await HostPorts.bind(this.host.nodeAddr, s.address, s.spec.ports.map((p) => ({ ...p, protocol: 'tcp' })));
        s.proxy = proxy;
        s.bound = bound.map((b) => ({ targetPort: b.targetPort, publishedPort: b.publishedPort }));
      } catch (e) {
        if (e instanceof HostPortError) throw new HostPortError(`driver failed programming external connectivity on endpoint ${s.spec.name} (${container.id}): ${e.message}`);
        throw e;
      }
    }
    try {
      await container.start(input);
    } catch (e) {
      this.unpublish(container.id);
      throw e;
    }
  }

  /** Its spec, address and bound ports; undefined for a task's container. */
  get(containerId: string): Readonly<Standalone> | undefined {
    return this.byId.get(containerId);
  }

  /** The loopback address of the running container of a network attachment task (connections to its overlay address land there). */
  runningAddressOfAttachment(taskId: string): string | undefined {
    for (const [id, s] of this.byId) {
      if (s.attachment?.taskId === taskId) return this.watching?.get(id)?.status().state === 'running' ? s.address : undefined;
    }
    return undefined;
  }

  /** docker stop or kill: the container stays stopped whatever its restart policy. */
  stoppedByUser(containerId: string): void {
    const s = this.byId.get(containerId);
    if (!s) return;
    s.stoppedByUser = true;
    cancelRestart(s);
  }

  /** Waiting to be started again by its restart policy (docker inspect's State.Restarting). */
  restarting(containerId: string): boolean {
    return this.byId.get(containerId)?.restartTimer !== undefined;
  }

  /** Removes every one (the node leaves its swarm, or stops). */
  async removeAll(): Promise<void> {
    const runtime = this.watching;
    if (!runtime) return;
    await Promise.all([...this.byId.keys()].map((id) => runtime.get(id)?.remove().catch(() => undefined)));
  }

  private async restartByPolicy(s: Standalone, c: Container): Promise<void> {
    s.restartCount++;
    try {
      await this.start(c, undefined, true);
    } catch {
      // It cannot start (its port is taken…): it stays exited, as with dockerd.
    }
  }

  private unpublish(containerId: string): void {
    const s = this.byId.get(containerId);
    s?.proxy?.close();
    if (s) s.proxy = undefined;
  }

  private watch(runtime: ContainerRuntime): void {
    if (this.watching) return;
    this.watching = runtime;
    runtime.on('exit', (id: string, exitCode: number) => {
      const s = this.byId.get(id);
      if (!s) return;
      this.unpublish(id);
      if (s.spec.autoRemove) return void runtime.get(id)?.remove().catch(() => undefined);
      if (!shouldRestart(s, exitCode)) return;
      if (s.startedAt !== undefined && Date.now() - s.startedAt >= RESTART_RESET_MS) s.restarts = 0;
      const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** s.restarts);
      s.restarts++;
      s.restartTimer = setTimeout(() => {
        s.restartTimer = undefined;
        const c = runtime.get(id);
        if (c) void this.restartByPolicy(s, c);
      }, delay);
    });
    runtime.on('remove', (id: string) => {
      const s = this.byId.get(id);
      if (!s) return;
      cancelRestart(s);
      this.unpublish(id);
      if (s.attachment) void this.host.detachNetwork(s.attachment.taskId).catch(() => undefined);
      this.byId.delete(id);
      this.host.releaseAddress(s.address);
    });
  }
}
