// swarmlab clock NODE --offset D: move a node's emulated clock (now = real × scale + offset).

import { out, printJson, type Context } from '../context.js';
import { asUserError } from '../errors.js';
import { connectRunning } from '../select-cluster.js';

export async function clock(ctx: Context, target: string, flags: { offset: number; cluster?: string; json?: boolean }): Promise<void> {
  const lab = await connectRunning(ctx, flags.cluster);
  const nodes = await asUserError(() => lab.resolve(target));
  await asUserError(() => lab.clock(nodes.join(','), flags.offset));
  if (flags.json) return printJson(ctx, { action: 'clock', nodes, offsetMs: flags.offset });
  const s = Math.abs(flags.offset / 1000);
  const where = flags.offset === 0 ? 'back to real time' : `${s} s ${flags.offset < 0 ? 'behind' : 'ahead of'} real time`;
  out(ctx, `clock of ${nodes.join(', ')} set ${where}`);
}
