// The worker's container runtime: turns a task's ContainerConfig into an emulated container —
// image resolved (built-in, generic, or refused), Go templates expanded as SwarmKit does, files
// laid out under rootDir — and keeps the containers it made. Emits 'exit' (id, exitCode) and
// 'remove' (id).

import { EventEmitter } from 'node:events';
import { cp, mkdir, rm } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { EmulatedContainer } from './container.js';
import { containerEvent } from './events.js';
import { generateContainerId, PidAllocator } from './container-id.js';
import { commandLine, configEnv, processEnv, swarmLabels } from './environment.js';
import { ImageNotFoundError, TemplateExpansionError } from './errors.js';
import { findBuiltInImage, genericImage, type ImageDefinition } from './images/catalog.js';
import { LogStore } from './log-store.js';
import { ContainerFs, populateRootfs, type FsMount } from './rootfs.js';
import { ContainerSystem } from './system.js';
import { expandContainerFields, swarmContext, TemplateError } from './template/swarm.js';
import type { Container, ContainerConfig, ContainerMount, ContainerRuntimeOptions, MountConfig } from './types.js';

const DEFAULT_MAX_LOG_LINES = 10_000;

/** An image this runtime has run a container of (docker images): pulled once, kept after. */
export interface PulledImage {
  /** The reference as the task gave it ("nginx:alpine", "nginx@sha256:…"). */
  reference: string;
  image: ImageDefinition;
  /** Emulated ms of the first container made from it. */
  pulledAt: number;
}

export class ContainerRuntime extends EventEmitter {
  private readonly containers = new Map<string, EmulatedContainer>();
  private readonly pulled = new Map<string, PulledImage>();
  private readonly pids = new PidAllocator();
  private readonly now: () => number;
  private readonly toReal: (ms: number) => number;

  constructor(private readonly opts: ContainerRuntimeOptions = {}) {
    super();
    // One 'exit' listener per watched container is the expected use, not a leak.
    this.setMaxListeners(0);
    const clock = opts.clock;
    this.now = clock ? () => clock.now() : () => Date.now();
    this.toReal = clock?.toReal ? (ms) => clock.toReal!(ms) : (ms) => ms;
  }

  /**
   * Creates (does not start) the container of a task. Throws ImageNotFoundError when unknown
   * images are refused, TemplateExpansionError with SwarmKit's message for a bad template, and
   * a plain Error for an unusable config or filesystem.
   */
  async create(cfg: ContainerConfig): Promise<Container> {
    validate(cfg);
    const image = this.pull(cfg.image).image;
    const id = generateContainerId();

    let expanded: { env: string[]; hostname: string; mounts: MountConfig[] };
    try {
      const context = swarmContext({
        serviceId: cfg.serviceId,
        serviceName: cfg.serviceName,
        serviceLabels: cfg.serviceLabels,
        nodeId: cfg.nodeId,
        nodeHostname: cfg.nodeHostname,
        nodeOs: cfg.nodeOs ?? 'linux',
        nodeArch: cfg.nodeArch ?? 'x86_64',
        taskId: cfg.taskId,
        taskName: cfg.taskName,
        slot: cfg.slot,
      });
      expanded = expandContainerFields(context, { env: cfg.env, hostname: cfg.hostname, mounts: cfg.mounts });
    } catch (e) {
      if (e instanceof TemplateError) throw new TemplateExpansionError(e.message);
      throw e;
    }
    const hostname = expanded.hostname || id.slice(0, 12);
    const cfgEnv = configEnv(image, expanded.env);
    const env = processEnv(cfgEnv, hostname, cfg.tty === true, cfg.user);
    const argv = commandLine(image, cfg.command, cfg.args);
    const workingDir = cfg.dir || image.workingDir;
    const addresses = cfg.addresses?.length ? [...cfg.addresses] : [cfg.bindAddress];

    const fs = new ContainerFs(resolvePath(cfg.rootDir));
    try {
      await populateRootfs(fs, {
        hostname,
        address: addresses[0]!,
        secrets: cfg.secrets ?? [],
        configs: cfg.configs ?? [],
        directories: [...image.directories, workingDir],
        imageFiles: image.files(hostname),
      });
    } catch (e) {
      await rm(fs.rootDir, { recursive: true, force: true }).catch(() => undefined);
      throw new Error(`creating the container's filesystem failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let mounts: ContainerMount[];
    try {
      mounts = await this.mount(fs, expanded.mounts, cfg.readOnlyRoot === true);
    } catch (e) {
      await rm(fs.rootDir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }

    const newSystem = () =>
      new ContainerSystem({
        identity: { id, hostname, bindAddress: cfg.bindAddress, addresses, ports: cfg.ports ?? [], user: cfg.user ?? '' },
        fs,
        image,
        now: this.now,
        toReal: this.toReal,
        lookupName: this.opts.lookupName ? (name) => this.opts.lookupName!(name, id) : undefined,
        connect: this.opts.connect ? (address, port) => this.opts.connect!(address, port, id) : undefined,
      });
    const container = new EmulatedContainer({
      id,
      config: cfg,
      hostname,
      env,
      configEnv: cfgEnv,
      // A standalone container (docker run) has no task, and none of a task's labels.
      labels: cfg.taskId ? swarmLabels(cfg, cfg.labels) : { ...cfg.labels },
      mounts,
      argv,
      image,
      workingDir,
      newSystem,
      logs: new LogStore(this.now, this.opts.maxLogLines ?? DEFAULT_MAX_LOG_LINES),
      now: this.now,
      toReal: this.toReal,
      allocatePid: () => this.pids.allocate(),
      log: this.opts.log,
      onExit: (c, code) => {
        this.opts.log?.('info', 'container exited', { containerId: c.id, taskId: c.config.taskId, exitCode: code });
        this.emit('exit', c.id, code);
      },
      onRemove: (c) => {
        for (const m of c.mounts) if (m.Type === 'volume') this.volumeEvent('unmount', m.Name!, { container: c.id, driver: 'local' });
        this.containers.delete(c.id);
        this.emit('remove', c.id);
      },
      onEvent: (c, action, extra) => this.opts.onEvent?.(containerEvent(c, action, extra)),
    });
    this.containers.set(id, container);
    this.opts.onEvent?.(containerEvent(container, 'create'));
    container.mounts.forEach((m) => {
      if (m.Type === 'volume') this.volumeEvent('mount', m.Name!, { container: id, destination: m.Destination, driver: 'local', propagation: '', 'read/write': String(m.RW) });
    });
    this.opts.log?.('info', 'container created', { containerId: id, taskId: cfg.taskId, image: cfg.image, builtIn: image.builtIn });
    return container;
  }

  /** By full ID, or by an unambiguous prefix (as the docker CLI accepts). */
  get(id: string): Container | undefined {
    const exact = this.containers.get(id);
    if (exact || id.length === 0) return exact;
    const matches = [...this.containers.values()].filter((c) => c.id.startsWith(id));
    return matches.length === 1 ? matches[0] : undefined;
  }

  list(): Container[] {
    return [...this.containers.values()];
  }

  /** The images its containers were made from, in the order they were first pulled. */
  images(): PulledImage[] {
    return [...this.pulled.values()];
  }

  /**
   * Pulls an image (docker pull, or a container's first use): a built-in one, or any other as a
   * generic image unless unknown images are refused. `fresh` when this node did not have it.
   */
  pull(reference: string): { image: ImageDefinition; fresh: boolean } {
    const known = this.pulled.get(reference);
    if (known) return { image: known.image, fresh: false };
    const image = this.resolveImage(reference);
    this.pulled.set(reference, { reference, image, pulledAt: this.now() });
    this.opts.onEvent?.({ type: 'image', action: 'pull', id: reference, attributes: { name: image.repository } });
    return { image, fresh: true };
  }

  /** docker rmi: forgets a pulled image (the caller checks that no container needs it). */
  removeImage(reference: string): void {
    this.pulled.delete(reference);
  }

  /**
   * Makes the volume and tmpfs mounts: a volume is created on first use and, when new, gets the
   * files the image has at the mount point (unless NoCopy), as Docker does. Bind mounts are not
   * made: the node's host filesystem is not emulated, and the real one stays out of containers.
   */
  private async mount(fs: ContainerFs, wanted: MountConfig[], readOnlyRoot: boolean): Promise<ContainerMount[]> {
    const made: ContainerMount[] = [];
    const table: FsMount[] = [];
    for (const m of wanted) {
      const target = fs.containerPath(m.target);
      if (m.type === 'tmpfs') {
        // Its own directory in the container's root, writable even when the root is read-only.
        const dir = fs.hostPath(target);
        await mkdir(dir, { recursive: true });
        table.push({ target, dir, readOnly: false });
        made.push({ Type: 'tmpfs', Source: '', Destination: target, Mode: '', RW: true, Propagation: '' });
        continue;
      }
      if (m.type !== 'volume') continue;
      if (!this.opts.volumes) throw new Error('volume mounts need a volume store');
      const { volume, fresh } = await this.opts.volumes.ensure(m.source, { labels: m.labels });
      const mountPoint = fs.hostPath(target);
      await mkdir(mountPoint, { recursive: true });
      if (fresh && !m.noCopy) await cp(mountPoint, volume.dataDir, { recursive: true });
      table.push({ target, dir: volume.dataDir, readOnly: m.readOnly === true });
      made.push({ Type: 'volume', Name: volume.name, Source: `/var/lib/docker/volumes/${volume.name}/_data`, Destination: target, Driver: 'local', Mode: 'z', RW: m.readOnly !== true, Propagation: '' });
    }
    fs.mount(table, readOnlyRoot);
    return made;
  }

  private volumeEvent(action: string, name: string, attributes: Record<string, string>): void {
    this.opts.onEvent?.({ type: 'volume', action, id: name, attributes });
  }

  private resolveImage(reference: string): ImageDefinition {
    const builtIn = findBuiltInImage(reference);
    if (builtIn) return builtIn;
    if (this.opts.rejectUnknownImages) throw new ImageNotFoundError(reference);
    return genericImage(reference);
  }
}

function validate(cfg: ContainerConfig): void {
  if (!cfg || typeof cfg !== 'object') throw new Error('container config is required');
  if (typeof cfg.image !== 'string' || cfg.image.trim() === '') throw new Error('container config: image is required');
  if (!/^127(\.\d{1,3}){3}$/.test(cfg.bindAddress ?? '')) throw new Error(`container config: bindAddress must be a 127.0.0.0/8 address, got ${JSON.stringify(cfg.bindAddress)}`);
  if (typeof cfg.rootDir !== 'string' || !isAbsolute(cfg.rootDir) || resolvePath(cfg.rootDir) === resolvePath('/')) {
    throw new Error(`container config: rootDir must be an absolute directory other than /, got ${JSON.stringify(cfg.rootDir)}`);
  }
  for (const p of cfg.ports ?? []) {
    if (!Number.isInteger(p.targetPort) || p.targetPort < 1 || p.targetPort > 65535) throw new Error(`container config: invalid port ${JSON.stringify(p.targetPort)}`);
  }
}
