// swarmlab ls: every cluster under SWARMLAB_HOME, running or not.

import { clusterSummaries } from '@swarmlab/launcher';
import { out, printJson, type Context } from '../context.js';
import { table } from '../format.js';

export function ls(ctx: Context, flags: { json?: boolean }): void {
  const clusters = clusterSummaries(ctx.home).map((c) => ({
    name: c.name,
    state: c.state,
    managers: c.record.managers,
    workers: c.record.workers,
    liveNodes: c.liveNodes,
    addresses: `127.${c.record.addressBlock}.0.0/16`,
    profile: c.record.profile,
    timeScale: c.record.timeScale,
    launcherPid: c.launcherPid ?? null,
    dir: c.dir,
  }));
  if (flags.json) return printJson(ctx, clusters);
  if (clusters.length === 0) return out(ctx, 'no clusters yet: start one with `swarmlab up`');
  out(
    ctx,
    table(
      ['NAME', 'STATE', 'MANAGERS', 'WORKERS', 'LIVE NODES', 'ADDRESSES', 'PROFILE', 'LAUNCHER PID'],
      clusters.map((c) => [c.name, c.state, String(c.managers), String(c.workers), String(c.liveNodes), c.addresses, c.profile, c.launcherPid === null ? '-' : String(c.launcherPid)]),
    ),
  );
}
