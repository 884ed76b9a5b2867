// A node's local volumes (the `local` driver): each a directory under the worker's volumes
// directory, as /var/lib/docker/volumes/NAME/_data is on a Docker host. A task's volume mount
// creates its volume on first use and finds the same data again when a later task of the node
// mounts it; a task rescheduled to another node finds that node's volume, empty, as in Swarm.
// What a volume was created with (labels, options) is kept beside its data, so a restarted node
// lists it as before.

import { randomBytes } from 'node:crypto';
import type { EngineEvent } from './types.js';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Volume {
  name: string;
  /** Where its data lives on this machine. */
  dataDir: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Created for a mount without a source: `docker volume prune` removes these. */
  anonymous: boolean;
}

/** Docker's rule for volume names. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

interface VolumeMeta {
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
}

export class VolumeStore {
  private readonly volumes = new Map<string, Volume>();
  /** Volumes being created: a second task mounting one waits for its directory. */
  private readonly creating = new Map<string, Promise<Volume>>();
  private loaded: Promise<void> | undefined;

  /** `onEvent` gets docker events' volume create and destroy, whoever asked for them. */
  constructor(
    private readonly dir: string,
    private readonly onEvent: (ev: EngineEvent) => void = () => undefined,
  ) {}

  private event(action: 'create' | 'destroy', name: string): void {
    this.onEvent({ type: 'volume', action, id: name, attributes: { driver: 'local' } });
  }

  /** The volumes of earlier runs of this node, read once. */
  private load(): Promise<void> {
    return (this.loaded ??= (async () => {
      let names: string[] = [];
      try {
        names = await readdir(this.dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (!VALID_NAME.test(name) || this.volumes.has(name)) continue;
        try {
          const meta = JSON.parse(await readFile(join(this.dir, name, 'meta.json'), 'utf8')) as VolumeMeta;
          this.volumes.set(name, { name, dataDir: join(this.dir, name, '_data'), ...meta });
        } catch {
          const since = await stat(join(this.dir, name)).catch(() => undefined);
          this.volumes.set(name, { name, dataDir: join(this.dir, name, '_data'), createdAt: (since?.mtime ?? new Date()).toISOString(), labels: {}, options: {}, anonymous: false });
        }
      }
    })());
  }

  async list(): Promise<Volume[]> {
    await this.load();
    return [...this.volumes.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async get(name: string): Promise<Volume> {
    await this.load();
    const v = this.volumes.get(name);
    if (!v) throw new VolumeError(404, `get ${name}: no such volume`);
    return v;
  }

  /**
   * The volume `name` (a new anonymous one without a name), created when missing. `fresh` tells
   * whether this call created it: Docker then copies the image's files at the mount point into it.
   */
  async ensure(name: string | undefined, opts: { labels?: Record<string, string>; options?: Record<string, string> } = {}): Promise<{ volume: Volume; fresh: boolean }> {
    await this.load();
    const wanted = name || randomBytes(32).toString('hex');
    const existing = this.volumes.get(wanted) ?? (await this.creating.get(wanted));
    if (existing) return { volume: existing, fresh: false };
    if (!VALID_NAME.test(wanted)) {
      throw new VolumeError(400, `create ${wanted}: "${wanted}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    const meta: VolumeMeta = { createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), labels: opts.labels ?? {}, options: opts.options ?? {}, anonymous: !name };
    const volume: Volume = { name: wanted, dataDir: join(this.dir, wanted, '_data'), ...meta };
    const creation = (async () => {
      await mkdir(volume.dataDir, { recursive: true });
      await writeFile(join(this.dir, wanted, 'meta.json'), JSON.stringify(meta));
      this.volumes.set(wanted, volume);
      this.event('create', wanted);
      return volume;
    })();
    this.creating.set(wanted, creation);
    try {
      return { volume: await creation, fresh: true };
    } finally {
      this.creating.delete(wanted);
    }
  }

  /** Removes a volume and its data; `inUse` names the containers that still mount it. */
  async remove(name: string, inUse: string[]): Promise<void> {
    await this.get(name);
    if (inUse.length > 0) throw new VolumeError(409, `remove ${name}: volume is in use - [${inUse.join(', ')}]`);
    this.volumes.delete(name);
    await rm(join(this.dir, name), { recursive: true, force: true });
    this.event('destroy', name);
  }
}
