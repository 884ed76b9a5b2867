// swarmlab nodes: every node with its pid, process state, and the swarm's view of it.

import { out, printJson, type Context } from '../context.js';
import { nodesTable } from '../format.js';
import { connectRunning } from '../select-cluster.js';

export async function nodes(ctx: Context, flags: { cluster?: string; json?: boolean }): Promise<void> {
  const lab = await connectRunning(ctx, flags.cluster);
  const list = await lab.nodes();
  if (flags.json) return printJson(ctx, list);
  out(ctx, nodesTable(list, true));
}
