// Histories of a correct register, for tests and the benchmark: concurrent clients run reads,
// writes and CASes on a few keys; each operation takes effect at one instant inside its interval
// (so the history is linearizable by construction), some fail without effect, and some end
// indeterminate — those took effect at some instant after their invoke (possibly after the
// client gave up on them) or never, like a timed-out request a leader may still commit.

import { mulberry32 } from '../prng.js';
import type { HistoryOp, RegisterValue } from '../types.js';

export interface RegisterSimulation {
  seed: number;
  operations: number;
  concurrency: number;
  /** Registers ("chaos-register-0", ...); default 3. */
  keys?: number;
  /** Values written are 0..values-1, a small range as in Jepsen's cas-register; default 5. */
  values?: number;
  /** Share of writes and CASes that end indeterminate; default 0.02. */
  infoRate?: number;
  /** Share of operations that fail before reaching the register; default 0.01. */
  failRate?: number;
}

const MS = 1_000_000;

interface SimOp {
  process: number;
  key: string;
  f: 'read' | 'write' | 'cas';
  arg: RegisterValue | [RegisterValue, RegisterValue];
  call: number;
  ret: number;
  /** When it takes effect; Infinity for never. */
  at: number;
  outcome: 'ok' | 'fail' | 'info';
  result: RegisterValue;
}

export function simulateRegisterHistory(o: RegisterSimulation): HistoryOp[] {
  const { seed, operations, concurrency } = o;
  const keys = o.keys ?? 3;
  const values = o.values ?? 5;
  const infoRate = o.infoRate ?? 0.02;
  const failRate = o.failRate ?? 0.01;
  if (!Number.isInteger(operations) || operations < 0) throw new RangeError('operations must be a non-negative integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  if (!Number.isInteger(keys) || keys < 1 || !Number.isInteger(values) || values < 1) throw new RangeError('keys and values must be positive integers');
  const rng = mulberry32(seed);
  const free = new Array<number>(concurrency).fill(0);
  const processOf = Array.from({ length: concurrency }, (_, i) => i);
  const ops: SimOp[] = [];

  for (let i = 0; i < operations; i++) {
    let c = 0;
    for (let j = 1; j < concurrency; j++) if (free[j] < free[c]) c = j;
    const call = free[c] + rng.int(2 * MS);
    const ret = call + rng.between(MS, 10 * MS);
    const roll = rng.next();
    const f = roll < 0.5 ? 'read' : roll < 0.75 ? 'write' : 'cas';
    const arg: SimOp['arg'] = f === 'read' ? null : f === 'write' ? rng.int(values) : [rng.int(values), rng.int(values)];
    const op: SimOp = { process: processOf[c], key: `chaos-register-${rng.int(keys)}`, f, arg, call, ret, at: rng.between(call + 1, ret - 1), outcome: 'ok', result: null };
    if (rng.next() < failRate) {
      op.outcome = 'fail';
      op.at = Infinity;
    } else if (f !== 'read' && rng.next() < infoRate) {
      op.outcome = 'info';
      // Half take effect, possibly well after the client stopped waiting; half never do.
      op.at = rng.next() < 0.5 ? rng.between(call + 1, call + 3 * (ret - call)) : Infinity;
      processOf[c] += concurrency;
    }
    free[c] = ret;
    ops.push(op);
  }

  // Apply the effects in the order they happen, as the one true register of each key would.
  const state = new Map<string, RegisterValue>();
  for (const op of ops.filter((x) => x.at !== Infinity).sort((x, y) => x.at - y.at)) {
    const current = state.get(op.key) ?? null;
    if (op.f === 'read') op.result = current;
    else if (op.f === 'write') state.set(op.key, op.arg as RegisterValue);
    else {
      const [from, to] = op.arg as [RegisterValue, RegisterValue];
      if (current === from) state.set(op.key, to);
      else if (op.outcome === 'ok') op.outcome = 'fail';
    }
  }

  const lines: HistoryOp[] = [];
  for (const op of ops) {
    const invokeValue = [op.key, op.f === 'read' ? null : op.arg];
    lines.push({ process: op.process, type: 'invoke', f: op.f, value: invokeValue, time: op.call });
    const doneValue = op.f === 'read' && op.outcome === 'ok' ? [op.key, op.result] : invokeValue;
    lines.push({ process: op.process, type: op.outcome, f: op.f, value: doneValue, time: op.ret });
  }
  // Stable: an op's invoke stays before its completion, and equal times keep creation order.
  return lines.sort((x, y) => x.time - y.time);
}
