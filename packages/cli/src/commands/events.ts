// swarmlab events [-f]: faults applied and changes observed (leader and term, node status), with
// timestamps, from the cluster's events.jsonl.

import { tailLines, type LabEvent } from '@swarmlab/launcher';
import { join } from 'node:path';
import { out, type Context } from '../context.js';
import { asUserError, UserError } from '../errors.js';
import { eventLine } from '../format.js';
import { connectRunning, selectCluster } from '../select-cluster.js';

export async function events(ctx: Context, flags: { follow?: boolean; cluster?: string; json?: boolean }): Promise<void> {
  const cluster = selectCluster(ctx, flags.cluster);
  const show = (ev: LabEvent) => out(ctx, flags.json ? JSON.stringify(ev) : eventLine(ev));
  if (cluster.state === 'running') {
    const lab = await connectRunning(ctx, cluster.name);
    await asUserError(async () => {
      for await (const ev of lab.events({ follow: flags.follow, signal: ctx.signal })) show(ev);
    });
    return;
  }
  // A stopped cluster's history is still on disk; only following needs its launcher.
  if (flags.follow) throw new UserError(`cluster "${cluster.name}" is not running, so there is nothing to follow (drop -f to read its events)`);
  for await (const line of tailLines(join(cluster.dir, 'events.jsonl'))) {
    try {
      show(JSON.parse(line) as LabEvent);
    } catch {
      /* a line cut short by a crash */
    }
  }
}
