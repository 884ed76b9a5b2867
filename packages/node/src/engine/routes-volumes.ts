// A node's local volumes, as `docker volume ls|inspect|create|rm|prune` see them: GET /volumes,
// GET /volumes/{name}, POST /volumes/create, DELETE /volumes/{name}, POST /volumes/prune. Tasks'
// volume mounts create them (agent/exec/volumes.ts); a volume is in use while a container of the
// node mounts it.

import { decodeFilters, GO_VOLUME_CREATE_OPTIONS } from '@swarmlab/api';
import type { ServerResponse } from 'node:http';
import type { Daemon } from '../daemon/daemon.js';
import { VolumeError, type Volume, type VolumeStore } from '../agent/exec/volumes.js';
import { ApiError } from '../errors.js';
import { matchesLabels } from '../manager/lookup.js';
import { boolQuery, jsonBody, sendJson, type Router } from './http.js';

const LIST_FILTERS = ['dangling', 'driver', 'label', 'name'];
const PRUNE_FILTERS = ['all', 'label'];

export function renderVolume(v: Volume) {
  return {
    CreatedAt: v.createdAt,
    Driver: 'local',
    Labels: Object.keys(v.labels).length > 0 ? v.labels : null,
    Mountpoint: `/var/lib/docker/volumes/${v.name}/_data`,
    Name: v.name,
    Options: Object.keys(v.options).length > 0 ? v.options : null,
    Scope: 'local',
  };
}

/** The containers of this node that mount the volume (running or not). */
export function usersOf(daemon: Daemon, name: string): string[] {
  return daemon
    .containers()
    .filter((c) => c.mounts.some((m) => m.Type === 'volume' && m.Name === name))
    .map((c) => c.id);
}

async function withVolumes<T>(daemon: Daemon, act: (store: VolumeStore) => Promise<T>): Promise<T> {
  const store = daemon.volumeStore();
  if (!store) throw new ApiError(400, 'volumes are emulated on swarm nodes only, and this node is not in a swarm');
  try {
    return await act(store);
  } catch (e) {
    if (e instanceof VolumeError) throw new ApiError(e.status, e.message);
    throw e;
  }
}

export function volumeRoutes(r: Router, daemon: Daemon): void {
  r.on('GET', '/volumes', async (req) => {
    const filters = decodeFilters(req.query.get('filters') ?? undefined, LIST_FILTERS);
    const store = daemon.volumeStore();
    const all = store ? await store.list() : [];
    const dangling = filters.get('dangling')?.[0];
    const volumes = all.filter(
      (v) =>
        (filters.get('name') ?? []).every((n) => v.name.includes(n)) &&
        (filters.get('driver') ?? []).every((d) => d === 'local') &&
        matchesLabels(v.labels, filters.get('label')) &&
        (dangling === undefined || (usersOf(daemon, v.name).length === 0) === (dangling === 'true' || dangling === '1')),
    );
    return { Volumes: volumes.map(renderVolume), Warnings: null };
  });
  r.on('GET', '/volumes/{name}', (req) => withVolumes(daemon, async (store) => renderVolume(await store.get(req.params.name!))));
  r.on('POST', '/volumes/create', async (req, res: ServerResponse) => {
    const body = await jsonBody<{ Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null }>(req, GO_VOLUME_CREATE_OPTIONS);
    const driver = body.Driver || 'local';
    if (driver !== 'local') throw new ApiError(404, `create ${body.Name ?? ''}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const created = await withVolumes(daemon, (store) => store.ensure(body.Name || undefined, { labels: body.Labels ?? {}, options: body.DriverOpts ?? {} }));
    sendJson(res, 201, renderVolume(created.volume));
  });
  // With force a missing volume is no error; one in use still is (moby).
  r.on('DELETE', '/volumes/{name}', async (req, res: ServerResponse) => {
    const name = req.params.name!;
    try {
      await withVolumes(daemon, (store) => store.remove(name, usersOf(daemon, name)));
    } catch (e) {
      if (!(boolQuery(req.query, 'force') && e instanceof ApiError && e.statusCode === 404)) throw e;
    }
    res.writeHead(204);
    res.end();
  });
  // Since API 1.42, prune removes anonymous volumes only, unless the filter all=true.
  r.on('POST', '/volumes/prune', async (req) => {
    const filters = decodeFilters(req.query.get('filters') ?? undefined, PRUNE_FILTERS);
    const everything = ['true', '1'].includes(filters.get('all')?.[0] ?? '');
    const deleted: string[] = [];
    await withVolumes(daemon, async (store) => {
      for (const v of await store.list()) {
        if ((!everything && !v.anonymous) || !matchesLabels(v.labels, filters.get('label')) || usersOf(daemon, v.name).length > 0) continue;
        await store.remove(v.name, []);
        deleted.push(v.name);
      }
    });
    return { VolumesDeleted: deleted, SpaceReclaimed: 0 };
  });
}
