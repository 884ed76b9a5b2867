// swarmlab logs NODE [-f]: a node's pino log, pretty (or as JSON lines with --json).

import { tailLines } from '@swarmlab/launcher';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { out, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { logPrettifier } from '../log-pretty.js';
import { recordedNode, selectCluster } from '../select-cluster.js';

export async function logs(ctx: Context, ref: string, flags: { follow?: boolean; cluster?: string; json?: boolean }): Promise<void> {
  const cluster = selectCluster(ctx, flags.cluster);
  const node = recordedNode(cluster, ref);
  const file = join(cluster.dir, 'logs', `${node.name}.log`);
  if (!existsSync(file) && !flags.follow) throw new UserError(`${node.name} has no log yet (${file})`);
  const pretty = flags.json ? (line: string) => line : logPrettifier(ctx.isTTY);
  for await (const line of tailLines(file, { follow: flags.follow, signal: ctx.signal })) out(ctx, pretty(line));
}
