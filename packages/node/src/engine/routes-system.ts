// GET /system/df (`docker system df [-v]`): the node's images, its task containers with the size of
// what they wrote (their root directory), and its volumes with the size of their data and the
// containers that mount them. Sizes are the bytes on this machine's disk; images are as large as
// their real namesakes (routes-images.ts). There is no build cache.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Daemon } from '../daemon/daemon.js';
import type { Router } from './http.js';
import { containerSummary } from './routes-containers.js';
import { imageSummary } from './routes-images.js';
import { renderVolume, usersOf } from './routes-volumes.js';

const TYPES = ['container', 'image', 'volume', 'build-cache'];

/** Bytes of the files under `dir` (0 when it is gone). */
async function diskUsage(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await diskUsage(path);
    else if (e.isFile()) total += (await stat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

export function systemRoutes(r: Router, daemon: Daemon): void {
  r.on('GET', '/system/df', async (req) => {
    // API ≥ 1.42: `type` narrows the answer; without it, everything.
    const asked = req.query.getAll('type').filter((t) => TYPES.includes(t));
    const wants = (type: string) => asked.length === 0 || asked.includes(type);
    const now = Date.now();
    const containers = daemon.containers();
    const images = daemon.images().map((p) => ({ ...imageSummary(p), Containers: containers.filter((c) => c.config.image === p.reference).length, SharedSize: 0 }));
    const volumes = (await daemon.volumeStore()?.list()) ?? [];
    return {
      LayersSize: images.reduce((sum, i) => sum + i.Size, 0),
      Images: wants('image') ? images : null,
      Containers: wants('container')
        ? await Promise.all(
            containers.map(async (c) => {
              const summary = containerSummary(daemon, c, now);
              const written = await diskUsage(c.config.rootDir);
              const image = images.find((i) => i.Id === summary.ImageID);
              return { ...summary, SizeRw: written, SizeRootFs: written + (image?.Size ?? 0) };
            }),
          )
        : null,
      Volumes: wants('volume')
        ? await Promise.all(volumes.map(async (v) => ({ ...renderVolume(v), UsageData: { Size: await diskUsage(v.dataDir), RefCount: usersOf(daemon, v.name).length } })))
        : null,
      BuildCache: wants('build-cache') ? [] : null,
    };
  });
}
