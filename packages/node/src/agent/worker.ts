// The agent's worker (SwarmKit agent/worker.go + exec controller): turns the dispatcher's
// assignments into emulated containers and reports every task state on the way, forward only:
// ASSIGNED → ACCEPTED → PREPARING → READY → STARTING → RUNNING → COMPLETE | FAILED, or SHUTDOWN
// when the desired state says so, REJECTED when it cannot even be prepared.

import { taskStateRank, type Task, type TaskState } from '@swarmlab/api';
import { join } from 'node:path';
import type { EmulatedClock } from '../clock.js';
import { toDockerTime } from '../clock.js';
import type { Log } from '../log.js';
import type { Assignment } from '../manager/dispatcher/dispatcher.js';
import type { Container, ContainerRuntime, EngineEvent, PulledImage } from './exec/index.js';
import { VolumeStore } from './exec/volumes.js';
import { containerEvent } from './exec/events.js';
import { HostPortError, HostPorts } from './host-ports.js';
import { StandaloneContainers } from './standalone.js';
import { NetworkAttachments, type ResourceAllocator } from './network-attachments.js';
import { localNetworkId } from '../engine/local-networks.js';
import { healthCheckOf, HealthMonitor } from './health.js';
import type { Duplex } from 'node:stream';
import type { NetworkAddress } from '../manager/dispatcher/service-records.js';

export interface TaskStatusReport {
  taskId: string;
  status: Record<string, unknown>;
}

export interface WorkerOptions {
  nodeId: () => string;
  nodeHostname: string;
  /** This node's address; containers get their own loopback addresses derived from it. */
  nodeAddr: string;
  rootDir: string;
  clock: EmulatedClock;
  log: Log;
  report: (updates: TaskStatusReport[]) => void;
  rejectUnknownImages?: boolean;
  /** The profile's ratio to SwarmKit's timings (1 for `docker`, smaller for `fast`). */
  timingScale: number;
  /** Name resolution and connections to overlay addresses for containers, given their own addresses. */
  network?: ContainerNetwork;
  /** The engine's local events (docker events): its containers, images and volumes. */
  onEvent?: (ev: EngineEvent) => void;
  /** The leader's resource allocator, through the session (docker run --network). */
  resources?: ResourceAllocator;
}

export interface ContainerDetails {
  attachments: { networkId: string; name: string; cidr: string }[];
  ports: { IP: string; PrivatePort: number; PublicPort: number; Type: string }[];
  health: { Status: string; FailingStreak: number; Log: unknown[] } | undefined;
}

export interface ContainerNetwork {
  lookup(name: string, own: NetworkAddress[]): string[];
  connect(address: string, port: number, own: NetworkAddress[]): Promise<Duplex>;
}

interface Tracked {
  task: Task;
  state: TaskState;
  container?: Container;
  busy: boolean;
  address?: string;
  /** No longer assigned here: a container still being created is removed once it exists. */
  disposed?: boolean;
  /** The docker-proxy of its mode=host published ports while it runs, and what they are bound to. */
  hostPorts?: HostPorts;
  portStatus?: Record<string, unknown>[];
  /** The container's health check, when its spec has one. */
  health?: HealthMonitor;
}

const MESSAGES: Partial<Record<TaskState, string>> = {
  accepted: 'accepted',
  preparing: 'preparing',
  ready: 'prepared',
  starting: 'starting',
  running: 'started',
  complete: 'finished',
  shutdown: 'shutdown',
};

const rank = (s: TaskState) => taskStateRank(s);

export class Worker {
  private tasks = new Map<string, Tracked>();
  private readonly attachments: NetworkAttachments;
  /** Created with the first container: the emulated programs are loaded only on a node that runs tasks. */
  private runtime: ContainerRuntime | undefined;
  private runtimeLoading: Promise<ContainerRuntime> | undefined;
  private freeAddresses: string[] = [];
  private pending: TaskStatusReport[] = [];
  private flushScheduled = false;
  /** The node's local volumes (docker volume ls), under the worker directory. */
  readonly volumes: VolumeStore;
  /** The containers users run here themselves (docker run). */
  readonly standalone: StandaloneContainers;

  constructor(private readonly o: WorkerOptions) {
    this.freeAddresses = containerAddresses(o.nodeAddr);
    this.volumes = new VolumeStore(join(o.rootDir, 'volumes'), o.onEvent);
    this.attachments = new NetworkAttachments({ resources: o.resources, log: o.log });
    this.standalone = new StandaloneContainers({
      runtime: () => this.loadRuntime(),
      takeAddress: () => this.freeAddresses.shift(),
      releaseAddress: (a) => this.freeAddresses.push(a),
      nodeId: o.nodeId,
      nodeHostname: o.nodeHostname,
      nodeAddr: o.nodeAddr,
      rootDir: o.rootDir,
      attachNetwork: (target, containerId, aliases) => this.attachments.attach(target, containerId, aliases),
      detachNetwork: (attachmentId) => this.attachments.detach(attachmentId),
    });
  }

  private byContainer(containerId: string): Tracked | undefined {
    for (const t of this.tasks.values()) if (t.container?.id === containerId) return t;
    return undefined;
  }

  /**
   * What the engine shows of a task's container besides the container itself (docker ps and
   * inspect): its network attachments (addresses as CIDRs), its mode=host ports as docker-proxy
   * binds them (0.0.0.0 and ::), and its health when it has a check.
   */
  containerDetails(containerId: string): ContainerDetails {
    const run = this.standalone.get(containerId);
    if (run) {
      const bridge = run.spec.network === 'bridge' ? [{ networkId: localNetworkId(this.o.nodeAddr, 'bridge'), name: 'bridge', cidr: `${run.address}/8` }] : [];
      return {
        attachments: run.attachment ? run.attachment.networks : bridge,
        ports: run.bound.flatMap((p) => ['0.0.0.0', '::'].map((IP) => ({ IP, PrivatePort: p.targetPort, PublicPort: p.publishedPort, Type: 'tcp' }))),
        health: undefined,
      };
    }
    const t = this.byContainer(containerId);
    const bound = t?.hostPorts ? ((t.portStatus ?? []).filter((_, i) => i % 2 === 0) as { TargetPort: number; PublishedPort: number; Protocol: string }[]) : [];
    return {
      attachments: (t?.task.NetworksAttachments ?? []).flatMap((a) => (a.Addresses ?? []).map((cidr) => ({ networkId: a.Network.ID, name: a.Network.Spec?.Name ?? a.Network.ID, cidr }))),
      ports: bound.flatMap((p) => ['0.0.0.0', '::'].map((IP) => ({ IP, PrivatePort: p.TargetPort, PublicPort: p.PublishedPort, Type: p.Protocol }))),
      health: t?.health ? { Status: t.health.status, FailingStreak: t.health.failingStreak, Log: [...t.health.log] } : undefined,
    };
  }

  private overlayAddresses(containerId: string): NetworkAddress[] {
    const run = this.standalone.get(containerId);
    if (run) return (run.attachment?.networks ?? []).map((n) => ({ networkId: n.networkId, ip: n.cidr.split('/')[0]! }));
    return this.containerDetails(containerId).attachments.map((a) => ({ networkId: a.networkId, ip: a.cidr.split('/')[0]! }));
  }

  /**
   * The address of a task's container while the task runs here (the routing mesh's backend); for
   * a network attachment task, that of its running container.
   */
  runningContainerAddress(taskId: string): string | undefined {
    const t = this.tasks.get(taskId);
    if (t) return t.state === 'running' && !t.disposed ? t.address : undefined;
    return this.standalone.runningAddressOfAttachment(taskId);
  }

  /** A complete assignment set from the dispatcher. */
  assign(assignments: Assignment[]): void {
    const seen = new Set<string>();
    for (const a of assignments) {
      const task = a.task as unknown as Task;
      seen.add(task.ID);
      if (this.attachments.offer(task)) continue;
      let t = this.tasks.get(task.ID);
      if (!t) {
        t = { task, state: task.Status.State, busy: false };
        this.tasks.set(task.ID, t);
        // Assigned to us before this process started: its container died with the old process.
        if ((t.state === 'starting' || t.state === 'running') && rank(task.DesiredState) < rank('shutdown')) {
          this.setState(t, 'failed', { Err: 'task: non-zero exit (137)', Message: 'started' });
        }
      } else {
        t.task = task;
        // The manager's view may be ahead of ours (e.g. after our restart): never go back.
        if (rank(task.Status.State) > rank(t.state)) t.state = task.Status.State;
      }
      (t as Tracked & { blobs?: Assignment }).blobs = a;
      void this.advance(t);
    }
    this.attachments.keepOnly(seen);
    // Tasks no longer assigned here: stop and forget their containers.
    for (const [id, t] of this.tasks) {
      if (seen.has(id)) continue;
      this.tasks.delete(id);
      void this.dispose(t);
    }
  }

  /** The task's StopGracePeriod (SwarmKit default 10 s), scaled like every timing of the profile. */
  private stopGraceMs(task: Task): number {
    const ns = task.Spec.ContainerSpec?.StopGracePeriod;
    return (ns ? ns / 1e6 : 10_000) * this.o.timingScale;
  }

  private async dispose(t: Tracked): Promise<void> {
    t.disposed = true;
    t.health?.stop();
    this.unpublish(t);
    try {
      await t.container?.stop(this.stopGraceMs(t.task));
      await t.container?.remove();
    } catch (e) {
      this.o.log('warn', 'worker: could not remove a container', { task: t.task.ID, err: String(e) });
    }
    // Once: a container created after an earlier dispose comes back here.
    if (t.address) this.freeAddresses.push(t.address);
    t.address = undefined;
  }

  private setState(t: Tracked, state: TaskState, extra: Record<string, unknown> = {}): void {
    if (rank(state) < rank(t.state)) return;
    t.state = state;
    if (rank(state) >= rank('complete')) t.health?.stop();
    const status: Record<string, unknown> = {
      Timestamp: toDockerTime(this.o.clock.now()),
      State: state,
      Message: MESSAGES[state] ?? state,
      ...extra,
    };
    if (t.container) {
      const cs = t.container.status();
      status.ContainerStatus = { ContainerID: cs.id, PID: cs.state === 'running' ? cs.pid : 0, ExitCode: cs.exitCode ?? 0 };
      status.PortStatus = t.portStatus ? { Ports: t.portStatus } : {};
    }
    this.pending.push({ taskId: t.task.ID, status });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        const batch = this.pending;
        this.pending = [];
        this.o.report(batch);
      });
    }
  }

  /** Moves a task as far as its desired state allows; serialized per task. */
  private async advance(t: Tracked): Promise<void> {
    if (t.busy) return;
    t.busy = true;
    try {
      for (;;) {
        const desired = t.task.DesiredState;
        const before = t.state;
        if (rank(desired) >= rank('shutdown')) {
          if (rank(t.state) < rank('complete')) {
            await t.container?.stop(this.stopGraceMs(t.task));
            this.setState(t, 'shutdown');
          }
          return;
        }
        switch (t.state) {
          case 'assigned':
            this.setState(t, 'accepted');
            break;
          case 'accepted':
            this.setState(t, 'preparing');
            break;
          case 'preparing':
            try {
              t.container = await this.create(t);
              if (t.disposed) {
                await this.dispose(t);
                return;
              }
              this.setState(t, 'ready');
            } catch (e) {
              this.setState(t, 'rejected', { Err: e instanceof Error ? e.message : String(e), Message: 'preparing' });
            }
            break;
          case 'ready':
            // STARTING only once the manager wants the task running (restart delays wait here).
            if (rank(desired) < rank('running')) return;
            if (!t.container) {
              // Prepared by an earlier process of this node: prepare it again, silently.
              try {
                t.container = await this.create(t);
                if (t.disposed) {
                  await this.dispose(t);
                  return;
                }
              } catch (e) {
                this.setState(t, 'rejected', { Err: e instanceof Error ? e.message : String(e), Message: 'preparing' });
                return;
              }
            }
            this.setState(t, 'starting');
            break;
          case 'starting':
            try {
              await this.publish(t);
            } catch (e) {
              if (!(e instanceof HostPortError)) throw e;
              this.setState(t, 'failed', { Err: `starting container failed: driver failed programming external connectivity on endpoint ${t.container!.id.slice(0, 12)}: ${e.message}`, Message: 'starting' });
              break;
            }
            try {
              await t.container!.start();
              this.watchExit(t);
              // With a health check the task stays STARTING until the container is healthy.
              if (!this.watchHealth(t)) this.setState(t, 'running');
            } catch (e) {
              this.setState(t, 'failed', { Err: `starting container failed: ${e instanceof Error ? e.message : String(e)}`, Message: 'starting' });
            }
            break;
          default:
            return;
        }
        if (t.state === before) return;
      }
    } finally {
      t.busy = false;
    }
  }

  /**
   * Starts the container's health check if its spec has one (false otherwise). Healthy the first
   * time, the task runs; unhealthy, it fails as Docker's executor fails it, and its container is stopped.
   */
  private watchHealth(t: Tracked): boolean {
    const check = healthCheckOf(t.task.Spec.ContainerSpec?.Healthcheck, this.o.timingScale);
    if (!check || !t.container) return false;
    const monitor = new HealthMonitor(t.container, check, this.o.clock);
    t.health = monitor;
    monitor.on('status', (status) => {
      if (t.health !== monitor) return;
      if (t.container) this.o.onEvent?.(containerEvent(t.container, `health_status: ${status}`));
      if (status === 'healthy' && t.state === 'starting') this.setState(t, 'running');
      if (status === 'unhealthy' && (t.state === 'starting' || t.state === 'running')) {
        this.setState(t, 'failed', { Err: 'dockerexec: unhealthy container', Message: t.state === 'starting' ? 'starting' : MESSAGES.running });
        void t.container?.stop(this.stopGraceMs(t.task));
      }
    });
    monitor.start();
    return true;
  }

  private watchExit(t: Tracked): void {
    const c = t.container!;
    const onExit = (id: string, code: number) => {
      if (id !== c.id) return;
      this.runtime!.off('exit', onExit);
      this.unpublish(t);
      if (rank(t.state) >= rank('complete')) return;
      if (rank(t.task.DesiredState) >= rank('shutdown')) this.setState(t, 'shutdown');
      else if (code === 0) this.setState(t, 'complete');
      else this.setState(t, 'failed', { Err: `task: non-zero exit (${code})`, Message: 'started' });
    };
    this.runtime!.on('exit', onExit);
    const st = c.status();
    if (st.state === 'exited') onExit(c.id, st.exitCode ?? 0);
  }

  /** Binds the task's mode=host published ports on this node's address (docker-proxy). */
  private async publish(t: Tracked): Promise<void> {
    const ports = ((t as Tracked & { blobs?: Assignment }).blobs?.ports ?? []).filter((p) => p.publishMode === 'host');
    if (ports.length === 0 || !t.address || t.hostPorts) return;
    const { proxy, bound } = await HostPorts.bind(
      this.o.nodeAddr,
      t.address,
      ports.map((p) => ({ targetPort: p.targetPort, publishedPort: p.publishedPort ?? 0, protocol: p.protocol })),
    );
    t.hostPorts = proxy;
    // Docker reports each binding twice: docker-proxy listens on 0.0.0.0 and on [::].
    t.portStatus = bound.flatMap((p) => {
      const entry = { Protocol: p.protocol, TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: 'host' };
      return [entry, { ...entry }];
    });
  }

  private unpublish(t: Tracked): void {
    t.hostPorts?.close();
    t.hostPorts = undefined;
  }

  private async create(t: Tracked): Promise<Container> {
    const task = t.task;
    const spec = task.Spec.ContainerSpec;
    if (!spec?.Image) throw new Error('ContainerSpec: image reference must be provided');
    const blobs = (t as Tracked & { blobs?: Assignment }).blobs;
    const address = this.freeAddresses.shift();
    if (!address) throw new Error('no free container address on this node');
    try {
      const container = await this.createContainer(task, spec, blobs, address);
      t.address = address;
      return container;
    } catch (e) {
      // A task that could not be prepared holds no address (it may stay in the store a while).
      this.freeAddresses.push(address);
      throw e;
    }
  }

  private loadRuntime(): Promise<ContainerRuntime> {
    return (this.runtimeLoading ??= import('./exec/index.js').then(({ ContainerRuntime }) => {
      const network = this.o.network;
      this.runtime = new ContainerRuntime({
        rejectUnknownImages: this.o.rejectUnknownImages,
        clock: this.o.clock,
        volumes: this.volumes,
        onEvent: this.o.onEvent,
        lookupName: network ? (name, containerId) => network.lookup(name, this.overlayAddresses(containerId)) : undefined,
        connect: network ? (address, port, containerId) => network.connect(address, port, this.overlayAddresses(containerId)) : undefined,
      });
      return this.runtime;
    }));
  }

  private async createContainer(task: Task, spec: NonNullable<Task['Spec']['ContainerSpec']>, blobs: Assignment | undefined, address: string): Promise<Container> {
    const runtime = await this.loadRuntime();
    const serviceName = blobs?.serviceName || task.ServiceID;
    const name = `${serviceName}.${task.Slot ?? task.NodeID}.${task.ID}`;
    // The runtime lays the container's root out (its directories included).
    const rootDir = join(this.o.rootDir, 'containers', task.ID);
    const secretData = new Map((blobs?.secrets ?? []).map((s) => [s.id, Buffer.from(s.data, 'base64')]));
    const configData = new Map((blobs?.configs ?? []).map((s) => [s.id, Buffer.from(s.data, 'base64')]));
    return runtime.create({
      taskId: task.ID,
      serviceId: task.ServiceID,
      serviceName,
      nodeId: this.o.nodeId(),
      slot: task.Slot,
      taskName: name,
      image: spec.Image,
      command: spec.Command,
      args: spec.Args,
      env: spec.Env,
      hostname: spec.Hostname,
      labels: spec.Labels,
      serviceLabels: blobs?.serviceLabels,
      user: spec.User,
      dir: spec.Dir,
      tty: spec.TTY,
      secrets: (spec.Secrets ?? []).map((r) => ({
        target: r.File?.Name ?? r.SecretName,
        uid: r.File?.UID ?? '0',
        gid: r.File?.GID ?? '0',
        mode: r.File?.Mode ?? 0o444,
        data: secretData.get(r.SecretID) ?? Buffer.alloc(0),
      })),
      configs: (spec.Configs ?? []).map((r) => ({
        target: r.File?.Name ?? r.ConfigName,
        uid: r.File?.UID ?? '0',
        gid: r.File?.GID ?? '0',
        mode: r.File?.Mode ?? 0o444,
        data: configData.get(r.ConfigID) ?? Buffer.alloc(0),
      })),
      mounts: (spec.Mounts ?? []).flatMap((m) =>
        m.Type && m.Target ? [{ type: m.Type, source: m.Source || undefined, target: m.Target, readOnly: m.ReadOnly, labels: m.VolumeOptions?.Labels, noCopy: m.VolumeOptions?.NoCopy }] : [],
      ),
      readOnlyRoot: spec.ReadOnly,
      ports: blobs?.ports ?? [],
      bindAddress: address,
      rootDir,
      nodeHostname: this.o.nodeHostname,
    });
  }

  /** Every container, for the logs API and tests. */
  containers(): Container[] {
    return this.runtime?.list() ?? [];
  }

  /** The images this node's containers were made from (docker images). */
  images(): PulledImage[] {
    return this.runtime?.images() ?? [];
  }

  removeImage(reference: string): void {
    this.runtime?.removeImage(reference);
  }

  /** docker pull on this node: whether the image was new here. */
  async pullImage(reference: string): Promise<boolean> {
    return (await this.loadRuntime()).pull(reference).fresh;
  }

  async stopAll(): Promise<void> {
    const all = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all([...all.map((t) => this.dispose(t)), this.standalone.removeAll()]);
  }
}

/**
 * Loopback addresses for this node's containers: node 127.B.X.Y (B ≤ 127) gets the block
 * 127.(B+128).(X·250+Y mod 256).2–254, so containers of every node have addresses of their own.
 */
export function containerAddresses(nodeAddr: string): string[] {
  const [, b, x, y] = nodeAddr.split('.').map(Number);
  const third = (x * 250 + y) % 256;
  const second = b <= 127 ? b + 128 : b;
  return Array.from({ length: 253 }, (_, i) => `127.${second}.${third}.${i + 2}`);
}
