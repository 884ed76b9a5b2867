// From history lines to one register sub-history per key. The CAS register is P-compositional
// (Horn & Kroening): a history is linearizable iff each key's sub-history is, so keys are checked
// one by one, each with a far smaller search than the whole.

import { HistoryError, pairOperations } from '../history.js';
import type { HistoryOp } from '../types.js';
import { dropIrrelevantIndeterminate } from './reduce.js';
import { REGISTER_FUNCTIONS, ValueCodes, toRegisterOp, type RegisterOp } from './register-model.js';

export interface KeyHistory {
  key: string;
  /** The ok and indeterminate operations the search must order, in invoke order. */
  ops: RegisterOp[];
  codes: ValueCodes;
  /** Register operations on this key in the history, before anything was dropped. */
  total: number;
  indeterminate: number;
  dropped: number;
}

export interface PreparedHistory {
  keys: KeyHistory[];
  /** Register operations in the history. */
  registerOps: number;
  /** Operations of other workloads (services) that share the history file. */
  ignored: number;
}

/** Throws HistoryError (naming the line) on a history that cannot be checked. */
export function prepareRegisterHistory(history: readonly HistoryOp[]): PreparedHistory {
  const byKey = new Map<string, KeyHistory>();
  let registerOps = 0;
  let ignored = 0;
  for (const op of pairOperations(history)) {
    if (!REGISTER_FUNCTIONS.has(op.f)) {
      ignored++;
      continue;
    }
    if (op.key === null) throw new HistoryError(`history line ${op.invokeIndex + 1}: a ${op.f} value must be [key, ...], got ${JSON.stringify(op.input)}`);
    registerOps++;
    let k = byKey.get(op.key);
    if (!k) {
      k = { key: op.key, ops: [], codes: new ValueCodes(), total: 0, indeterminate: 0, dropped: 0 };
      byKey.set(op.key, k);
    }
    k.total++;
    if (op.status === 'info') k.indeterminate++;
    const r = toRegisterOp(op, k.codes);
    if (r) k.ops.push(r);
  }
  for (const k of byKey.values()) {
    const { kept, dropped } = dropIrrelevantIndeterminate(k.ops);
    k.ops = kept;
    k.dropped = dropped;
  }
  return { keys: [...byKey.values()], registerOps, ignored };
}
