// Reads the operations a checker put in its evidence. The linearizability checker reports paired
// operations ({ process, f, key, input, output, call, ret, status }); Jepsen-style history lines
// ({ process, type, f, value, time }) are understood too. Times are the history's nanoseconds.

import type { ReportModel } from './model.js';
import type { TimedOp } from './operations.js';

export interface EvidenceOp {
  process: number | undefined;
  f: string;
  value: unknown;
  /** ok | fail | info, or whatever status the checker wrote. */
  type: string;
  start: number;
  /** When its completion was recorded; undefined when it never completed. */
  end: number | undefined;
  /** Its outcome is unknown: it may take effect at any point after it began, or never. */
  indeterminate: boolean;
  node?: string;
  error?: string;
  /** Where it is in history.jsonl, e.g. "40–44", when the checker says. */
  lines?: string;
  /** The checker's one-line description of the operation. */
  text?: string;
  /** Concurrent operations: whether the longest legal prefix holds it. */
  inPrefix?: boolean;
  /** Prefix operations: the register's value after it, in the legal order. */
  valueAfter?: { value: unknown };
}

const NS_PER_MS = 1e6;

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function firstNumber(o: Record<string, unknown>, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** [key, v] the way history lines carry register values. */
function registerValue(o: Record<string, unknown>, f: string): unknown {
  if ('value' in o) return o.value;
  if (!('key' in o)) return o.input ?? o.output;
  const written = f === 'read' ? o.output : o.input;
  return [o.key, written ?? null];
}

/** The same operation in the history, to fill in what the evidence left out (its completion, node). */
function historyMatch(model: ReportModel, process: number | undefined, start: number): TimedOp | undefined {
  if (process === undefined) return undefined;
  return model.ops.find((op) => op.process === process && Math.abs(op.start - start) < 1e-3);
}

export function evidenceOp(raw: unknown, model: ReportModel): EvidenceOp | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const isLine = typeof o.type === 'string' && num(o.time) !== undefined;
  const startNs = firstNumber(o, ['call', 'invokeTime', 'start']) ?? (isLine && o.type === 'invoke' ? num(o.time) : undefined);
  const endNs = firstNumber(o, ['ret', 'completeTime', 'end', 'return']) ?? (isLine && o.type !== 'invoke' ? num(o.time) : undefined);
  const process = num(o.process);
  const f = typeof o.f === 'string' ? o.f : 'op';
  if (startNs === undefined && endNs === undefined) return undefined;

  let start = (startNs ?? endNs!) / NS_PER_MS;
  let end = endNs === undefined ? undefined : endNs / NS_PER_MS;
  const match = startNs !== undefined ? historyMatch(model, process, start) : undefined;
  // A lone completion line: find the operation it completes.
  const byEnd = startNs === undefined && process !== undefined ? model.ops.find((op) => op.process === process && op.end !== undefined && Math.abs(op.end - start) < 1e-3) : undefined;
  const found = match ?? byEnd;
  if (found) {
    start = found.start;
    end = end ?? found.end;
  }
  const invokeLine = num(o.invokeLine);
  const completeLine = num(o.completeLine);
  const lines = invokeLine === undefined ? undefined : completeLine === undefined ? `${invokeLine}, never completed` : `${invokeLine}–${completeLine}`;
  const status = typeof o.status === 'string' ? o.status : isLine && o.type !== 'invoke' ? String(o.type) : (found?.type ?? 'unknown');
  return {
    process,
    f,
    value: registerValue(o, f),
    type: status,
    start,
    end,
    // The checker writes ret = Infinity (null in JSON) for an operation that may still take effect.
    indeterminate: status === 'info' || ('ret' in o && num(o.ret) === undefined),
    node: typeof o.node === 'string' ? o.node : found?.node,
    error: typeof o.error === 'string' ? o.error : found?.error,
    lines,
    text: typeof o.text === 'string' ? o.text : undefined,
    inPrefix: typeof o.inPrefix === 'boolean' ? o.inPrefix : undefined,
    valueAfter: 'valueAfter' in o ? { value: o.valueAfter } : undefined,
  };
}

export interface LinearizabilityEvidence {
  key: string | undefined;
  /** How many operations the longest legal prefix holds, and of how many searched, when known. */
  prefixLength: number | undefined;
  searched: number | undefined;
  /** The register's value after that prefix, when the checker says. */
  valueBefore: { value: unknown } | undefined;
  /** The last operations of the prefix, in their legal order. */
  prefix: EvidenceOp[];
  failing: EvidenceOp;
  concurrent: EvidenceOp[];
  /** All operations concurrent with the failing one (the evidence may show only the closest). */
  concurrentTotal: number;
}

/** Undefined when the evidence is not shaped like a linearizability failure. */
export function linearizabilityEvidence(evidence: unknown, model: ReportModel): LinearizabilityEvidence | undefined {
  if (typeof evidence !== 'object' || evidence === null) return undefined;
  const e = evidence as Record<string, unknown>;
  const failing = evidenceOp(e.failing, model);
  if (!failing) return undefined;
  const list = (x: unknown): EvidenceOp[] => (Array.isArray(x) ? x.map((op) => evidenceOp(op, model)).filter((op): op is EvidenceOp => op !== undefined) : []);
  const prefix = list(e.prefix);
  const concurrent = list(e.concurrent);
  return {
    key: e.key === undefined || e.key === null ? undefined : String(e.key),
    prefixLength: num(e.prefixLength) ?? num(e.linearized) ?? num(e.prefix) ?? (Array.isArray(e.prefix) ? e.prefix.length : undefined),
    searched: num(e.searched),
    valueBefore: 'valueBefore' in e ? { value: e.valueBefore } : undefined,
    prefix,
    failing,
    concurrent,
    concurrentTotal: Math.max(concurrent.length, num(e.concurrentTotal) ?? 0),
  };
}
