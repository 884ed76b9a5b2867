// swarmlab partition | block | link | heal: faults on node-to-node traffic, enforced by each node's
// emulated NIC. The Engine API (port 2375) keeps answering the user, unless a partition is given
// --include-api: the user then stands with its largest group, and the other nodes' APIs stop
// answering until heal.

import { cutFromUser, type LinkShape } from '@swarmlab/launcher';
import { out, printJson, type Context } from '../context.js';
import { asUserError, UserError } from '../errors.js';
import { connectRunning } from '../select-cluster.js';

export interface NetworkFlags {
  cluster?: string;
  json?: boolean;
  includeApi?: boolean;
}

/** --include-api places the user in a partition; a block or a link is between two nodes only. */
export function rejectIncludeApi(flags: NetworkFlags, what: string): void {
  if (flags.includeApi) {
    throw new UserError(
      `--include-api goes with a partition (groups, --isolate or --halves), where the user stands with the largest group; ${what} ` +
        'shapes traffic between two nodes, not the user\'s. To cut one node\'s API too: `partition --isolate NODE --include-api`.',
    );
  }
}

export interface PartitionFlags extends NetworkFlags {
  isolate?: string;
  halves?: boolean;
  majoritiesRing?: boolean;
  bridge?: boolean;
}

export async function partition(ctx: Context, groups: string[], flags: PartitionFlags): Promise<void> {
  const modes = [groups.length > 0 && 'groups', flags.isolate !== undefined && '--isolate', flags.halves && '--halves', flags.majoritiesRing && '--majorities-ring', flags.bridge && '--bridge'].filter(Boolean);
  if (modes.length !== 1) {
    throw new UserError(
      modes.length === 0
        ? 'partition needs groups (e.g. `partition manager1 manager2,manager3`) or one of --isolate NODE, --halves, --majorities-ring, --bridge'
        : `choose one way to partition, not ${modes.join(' and ')}`,
    );
  }
  if (flags.includeApi && (flags.majoritiesRing || flags.bridge)) {
    throw new UserError(`--include-api needs groups the user can stand with (groups, --isolate or --halves); ${flags.bridge ? '--bridge' : '--majorities-ring'} has none`);
  }
  const lab = await connectRunning(ctx, flags.cluster);
  let shape: Record<string, unknown>;
  let said: string;
  /** The partition's groups, which --include-api places the user among. */
  let sides: string[][] = [];
  if (flags.isolate !== undefined) {
    const isolate = flags.isolate;
    const isolated = await asUserError(() => lab.isolate(isolate));
    shape = { isolate: isolated };
    sides = [isolated];
    said = `isolated ${isolated.join(', ')} from the other nodes`;
  } else if (flags.halves) {
    const halves = await asUserError(() => lab.partitionHalves());
    shape = { halves };
    sides = halves;
    said = `partitioned into halves: ${halves.map((g) => g.join(',')).join(' | ')}`;
  } else if (flags.majoritiesRing) {
    await asUserError(() => lab.partitionMajoritiesRing());
    shape = { shape: 'majorities-ring' };
    said = 'partitioned into a majorities ring (each node sees a majority, no two the same one)';
  } else if (flags.bridge) {
    await asUserError(() => lab.partitionBridge());
    shape = { shape: 'bridge' };
    said = 'partitioned into two halves joined by one bridge node';
  } else {
    const list = groups.map((g) => g.split(',').filter((x) => x !== ''));
    await asUserError(() => lab.partition(...list));
    shape = { groups: list };
    sides = await asUserError(() => Promise.all(list.map((g) => lab.resolve(g.join(',')))));
    said = `partitioned: ${groups.join(' | ')}${groups.length === 1 ? ' | (the rest)' : ''}`;
  }
  if (flags.includeApi) {
    const outside = cutFromUser((await lab.list()).map((n) => n.name), sides, await lab.leader());
    const apiCut = outside.length > 0 ? await asUserError(() => lab.cutApi(outside.join(','))) : [];
    shape.apiCut = apiCut;
    said += apiCut.length > 0 ? `; the Engine API of ${apiCut.join(', ')} is cut from you too (heal restores it)` : '; every node is on your side: no Engine API is cut';
  }
  if (flags.json) return printJson(ctx, { action: 'partition', ...shape });
  out(ctx, said);
}

export async function block(ctx: Context, a: string, b: string, flags: NetworkFlags & { oneWay?: boolean }): Promise<void> {
  rejectIncludeApi(flags, 'a block');
  const lab = await connectRunning(ctx, flags.cluster);
  await asUserError(() => lab.block(a, b, flags.oneWay === true));
  if (flags.json) return printJson(ctx, { action: 'block', from: a, to: b, oneWay: flags.oneWay === true });
  out(ctx, flags.oneWay ? `blocked traffic from ${a} to ${b} (${b} to ${a} still flows)` : `blocked traffic between ${a} and ${b}`);
}

export interface LinkFlags extends NetworkFlags {
  delay?: number;
  jitter?: number;
  loss?: number;
  rate?: number;
  oneWay?: boolean;
}

export async function link(ctx: Context, a: string, b: string, flags: LinkFlags): Promise<void> {
  rejectIncludeApi(flags, 'a link');
  const shape: LinkShape = {
    ...(flags.delay !== undefined ? { delayMs: flags.delay } : {}),
    ...(flags.jitter !== undefined ? { jitterMs: flags.jitter } : {}),
    ...(flags.loss !== undefined ? { loss: flags.loss } : {}),
    ...(flags.rate !== undefined ? { rateBytesPerSec: flags.rate } : {}),
  };
  if (Object.keys(shape).length === 0) throw new UserError('link needs at least one of --delay, --jitter, --loss, --rate');
  const lab = await connectRunning(ctx, flags.cluster);
  await asUserError(() => lab.link(a, b, shape, flags.oneWay === true));
  if (flags.json) return printJson(ctx, { action: 'link', a, b, ...shape, oneWay: flags.oneWay === true });
  const parts = Object.entries(shape).map(([k, v]) => `${k}=${v}`);
  out(ctx, `shaped traffic ${flags.oneWay ? `from ${a} to ${b}` : `between ${a} and ${b}`}: ${parts.join(' ')}`);
}

export async function heal(ctx: Context, flags: { cluster?: string; json?: boolean }): Promise<void> {
  const lab = await connectRunning(ctx, flags.cluster);
  await asUserError(() => lab.heal());
  if (flags.json) return printJson(ctx, { action: 'heal' });
  out(ctx, 'healed: every network fault lifted, paused nodes resumed');
}
