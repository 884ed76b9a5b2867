// Containers a user runs on this node with `docker run`, outside any service: no task, no
// orchestrator. They share the node's runtime (images, volumes, container addresses) with the
// tasks' containers. A name is unique among the node's containers; `--rm` removes the container
// once it exits; `-p` binds the node's address as docker-proxy does, while the container runs.

import { join } from 'node:path';
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
  /** The default bridge, or no network at all. */
  network: 'bridge' | 'none';
  mounts: MountConfig[];
  readOnlyRoot: boolean;
  /** -p: TCP ports published on the node's address (0: any free port). */
  ports: { targetPort: number; publishedPort: number }[];
}

interface Standalone {
  spec: StandaloneSpec;
  address: string;
  proxy?: HostPorts;
  /** The ports as bound while it runs (a 0 made concrete). */
  bound: { targetPort: number; publishedPort: number }[];
}

export interface StandaloneHost {
  runtime(): Promise<ContainerRuntime>;
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
        rootDir: join(this.host.rootDir, 'containers', `run-${spec.name}`),
        nodeHostname: this.host.nodeHostname,
      });
      this.byId.set(container.id, { spec, address, bound: [] });
      return container;
    } catch (e) {
      this.host.releaseAddress(address);
      throw e;
    }
  }

  /** Publishes its ports, then starts PID 1 with what an attached client gives it. */
  async start(container: Container, input?: InitInput): Promise<void> {
    const s = this.byId.get(container.id);
    if (s && !s.proxy && s.spec.ports.length > 0 && container.status().state === 'created') {
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

  /** Removes every one (the node leaves its swarm, or stops). */
  async removeAll(): Promise<void> {
    const runtime = this.watching;
    if (!runtime) return;
    await Promise.all([...this.byId.keys()].map((id) => runtime.get(id)?.remove().catch(() => undefined)));
  }

  private unpublish(containerId: string): void {
    const s = this.byId.get(containerId);
    s?.proxy?.close();
    if (s) s.proxy = undefined;
  }

  private watch(runtime: ContainerRuntime): void {
    if (this.watching) return;
    this.watching = runtime;
    runtime.on('exit', (id: string) => {
      const s = this.byId.get(id);
      if (!s) return;
      this.unpublish(id);
      if (s.spec.autoRemove) void runtime.get(id)?.remove().catch(() => undefined);
    });
    runtime.on('remove', (id: string) => {
      const s = this.byId.get(id);
      if (!s) return;
      this.unpublish(id);
      this.byId.delete(id);
      this.host.releaseAddress(s.address);
    });
  }
}
