// What a person needs to see why a key's history is not linearizable: the operation no legal
// order could place, the operations running at the same time, and the end of the longest prefix
// the search could order — a handful of operations, not the history.

import type { Operation } from '../types.js';
import type { KeyHistory } from './prepare.js';
import type { DeepestPoint } from './search.js';

const MAX_CONCURRENT = 20;

/** One operation as the report shows it (Operation's fields, plus lines and a sentence). */
export interface OperationSummary {
  process: number;
  f: string;
  key: string | null;
  input: unknown;
  output?: unknown;
  status: 'ok' | 'fail' | 'info';
  /** Invoke and completion times in ns; ret is Infinity (null in JSON) for an indeterminate op. */
  call: number;
  ret: number;
  /** 1-based lines in history.jsonl; completeLine is null when the history ended first. */
  invokeLine: number;
  completeLine: number | null;
  node?: string;
  /** "process 3: read → 2 (ok, lines 40–44)". */
  text: string;
}

export interface LinearizabilityEvidence {
  key: string;
  /** The operation whose completion came before any legal order could include it. */
  failing: OperationSummary;
  /** The register's value after the longest prefix, where `failing` could not follow. */
  valueBefore: unknown;
  /** Operations overlapping it in time (the closest ones), and whether the prefix holds them. */
  concurrent: (OperationSummary & { inPrefix: boolean })[];
  concurrentTotal: number;
  /** How many operations the longest legal prefix holds, of the `searched` ones on the key. */
  prefixLength: number;
  searched: number;
  /** The last operations of that prefix, in their legal order, with the value after each. */
  prefix: (OperationSummary & { valueAfter: unknown })[];
  /**
   * Set when the impossibility was proven by the relaxed search, which lets indeterminate
   * operations take effect more than once: the prefix may then use one twice.
   */
  relaxed?: boolean;
}

function describe(op: Operation): string {
  const show = (v: unknown) => (v === undefined ? '?' : JSON.stringify(v));
  if (op.f === 'read') return op.status === 'ok' ? `read → ${show(op.output)}` : 'read';
  if (op.f === 'cas' && Array.isArray(op.input) && op.input.length === 2) return `cas ${show(op.input[0])}→${show(op.input[1])}`;
  return `${op.f} ${show(op.input)}`;
}

export function summarize(op: Operation): OperationSummary {
  const invokeLine = op.invokeIndex + 1;
  const completeLine = op.completeIndex === null ? null : op.completeIndex + 1;
  const lines = completeLine === null ? `line ${invokeLine}, never completed` : `lines ${invokeLine}–${completeLine}`;
  const out: OperationSummary = {
    process: op.process,
    f: op.f,
    key: op.key,
    input: op.input,
    status: op.status,
    call: op.call,
    ret: op.ret,
    invokeLine,
    completeLine,
    text: `process ${op.process}: ${describe(op)} (${op.status}, ${lines})`,
  };
  if (op.f === 'read' && op.status === 'ok') out.output = op.output;
  if (op.node !== undefined) out.node = op.node;
  return out;
}

export function linearizabilityEvidence(k: KeyHistory, deepest: DeepestPoint, relaxed = false): LinearizabilityEvidence {
  const failing = deepest.stuck;
  const overlapping = k.ops
    .filter((o) => o !== failing && o.callPos < failing.retPos && o.retPos > failing.callPos)
    .sort((x, y) => Math.abs(x.callPos - failing.callPos) - Math.abs(y.callPos - failing.callPos));
  const concurrent = overlapping
    .slice(0, MAX_CONCURRENT)
    .sort((x, y) => x.callPos - y.callPos)
    .map((o) => ({ ...summarize(o.op), inPrefix: deepest.linearized.has(o) }));
  return {
    key: k.key,
    failing: summarize(failing.op),
    valueBefore: k.codes.value(deepest.state),
    concurrent,
    concurrentTotal: overlapping.length,
    prefixLength: deepest.depth,
    searched: k.ops.length,
    prefix: deepest.tail.map((t) => ({ ...summarize(t.op.op), valueAfter: k.codes.value(t.stateAfter) })),
    ...(relaxed ? { relaxed } : {}),
  };
}
