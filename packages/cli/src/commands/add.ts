// swarmlab add [--managers N] [--workers M]: join new nodes to a running cluster.

import { readRecord } from '@swarmlab/launcher';
import { out, printJson, type Context } from '../context.js';
import { asUserError, UserError } from '../errors.js';
import { nodesTable, plural } from '../format.js';
import { capacityProblems, readCapacity } from '../guard-rails.js';
import { progress } from '../progress.js';
import { connectRunning } from '../select-cluster.js';

export async function add(ctx: Context, flags: { managers?: number; workers?: number; cluster?: string; json?: boolean }): Promise<void> {
  const managers = flags.managers ?? 0;
  const workers = flags.workers ?? 0;
  if (managers + workers === 0) throw new UserError('nothing to add: give --managers N and/or --workers M');
  const lab = await connectRunning(ctx, flags.cluster);
  const before = (await lab.list()).length;
  // The launcher spawns the nodes, so its limits are the ones that count.
  const launcherPid = readRecord(lab.dir)?.launcherPid;
  const problems = capacityProblems(before + managers + workers, readCapacity(launcherPid ?? 'self'));
  if (problems.length > 0) throw new UserError(`not adding ${managers + workers} nodes:\n  - ${problems.join('\n  - ')}`);
  const what = [plural(managers, 'manager'), plural(workers, 'worker')].filter(Boolean).join(' and ');
  const shown = progress(ctx, `adding ${what} to "${lab.name}"`, flags.json === true);
  let added: string[];
  try {
    added = await asUserError(() => lab.add({ managers, workers }));
  } catch (e) {
    shown.fail('adding failed');
    throw e;
  }
  shown.succeed(`added ${added.join(', ')}`);
  const all = await lab.nodes();
  if (flags.json) return printJson(ctx, { added, nodes: all });
  out(ctx, nodesTable(all, false));
}
