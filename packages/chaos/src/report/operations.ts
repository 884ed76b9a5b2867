// Pairs history lines into operations: each invoke with the next completion from the same process
// (Jepsen's rule: a process has at most one operation outstanding).

import type { HistoryOp } from '../types.js';

export type Completion = 'ok' | 'fail' | 'info';

export interface TimedOp {
  process: number;
  f: string;
  type: Completion;
  /** The completion's value when it has one (a read's result), else the invoke's. */
  value: unknown;
  /** Milliseconds since the run started. */
  start: number;
  /** Undefined when the history ended before the operation completed. */
  end: number | undefined;
  node?: string;
  error?: string;
}

export interface PairedHistory {
  ops: TimedOp[];
  warnings: string[];
}

const NS_PER_MS = 1e6;

function isLine(x: unknown): x is HistoryOp {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    Number.isFinite(o.process) &&
    Number.isFinite(o.time) &&
    (o.type === 'invoke' || o.type === 'ok' || o.type === 'fail' || o.type === 'info')
  );
}

function optionalText(x: unknown): string | undefined {
  return x === undefined || x === null ? undefined : String(x);
}

export function pairOperations(history: readonly unknown[]): PairedHistory {
  const ops: TimedOp[] = [];
  const open = new Map<number, TimedOp>();
  let malformed = 0;
  let orphans = 0;
  let overlapped = 0;
  for (const line of history) {
    if (!isLine(line)) {
      malformed++;
      continue;
    }
    const at = line.time / NS_PER_MS;
    if (line.type === 'invoke') {
      const previous = open.get(line.process);
      if (previous) {
        overlapped++;
        previous.end = Math.max(at, previous.start);
      }
      const op: TimedOp = {
        process: line.process,
        f: String(line.f ?? '?'),
        type: 'info',
        value: line.value,
        start: at,
        end: undefined,
        node: optionalText(line.node),
      };
      open.set(line.process, op);
      ops.push(op);
      continue;
    }
    const op = open.get(line.process);
    if (!op) {
      orphans++;
      continue;
    }
    open.delete(line.process);
    op.type = line.type;
    op.end = Math.max(at, op.start);
    if (line.value !== undefined && line.value !== null) op.value = line.value;
    op.node = optionalText(line.node) ?? op.node;
    op.error = optionalText(line.error);
  }
  const warnings: string[] = [];
  if (malformed) warnings.push(`${malformed} history line(s) without a numeric process/time or a known type were ignored`);
  if (orphans) warnings.push(`${orphans} completion(s) without a matching invoke were ignored`);
  if (overlapped) warnings.push(`${overlapped} invoke(s) arrived while the same process still had an operation open; the earlier one is drawn as indeterminate until then`);
  const unfinished = open.size;
  if (unfinished) warnings.push(`${unfinished} operation(s) never completed; drawn as indeterminate up to the end`);
  return { ops, warnings };
}
