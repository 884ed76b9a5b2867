// A reference linearizability check for tiny histories: tries every order of every admissible set
// of operations, straight from the definition. Slow and obviously right, to cross-check the search.

import { pairOperations } from '../../src/history.js';
import type { HistoryOp, Operation } from '../../src/types.js';

interface Op {
  key: string;
  f: string;
  info: boolean;
  input: unknown;
  output: unknown;
  callPos: number;
  retPos: number;
}

function applies(state: unknown, op: Op): { ok: boolean; next: unknown } {
  if (op.f === 'read') return { ok: state === op.output, next: state };
  if (op.f === 'write') return { ok: true, next: op.input };
  const [from, to] = op.input as [unknown, unknown];
  if (state === from) return { ok: true, next: to };
  return { ok: op.info, next: state };
}

function linearizable(ops: Op[]): boolean {
  const placed = new Array<boolean>(ops.length).fill(false);
  const mandatory = ops.filter((o) => !o.info).length;
  const go = (state: unknown, done: number): boolean => {
    if (done === mandatory) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const c = ops[i];
      // Every definite op that returned before c was invoked must already be in the order.
      if (ops.some((a, j) => !a.info && !placed[j] && j !== i && a.retPos < c.callPos)) continue;
      const r = applies(state, c);
      if (!r.ok) continue;
      placed[i] = true;
      const found = go(r.next, done + (c.info ? 0 : 1));
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return go(null, 0);
}

export function bruteForceLinearizable(history: HistoryOp[]): boolean {
  const byKey = new Map<string, Op[]>();
  for (const o of pairOperations(history) as Operation[]) {
    if (o.status === 'fail' || (o.status === 'info' && o.f === 'read')) continue;
    const list = byKey.get(o.key!) ?? [];
    list.push({ key: o.key!, f: o.f, info: o.status === 'info', input: o.input, output: o.output, callPos: o.invokeIndex, retPos: o.status === 'info' ? Infinity : o.completeIndex! });
    byKey.set(o.key!, list);
  }
  return [...byKey.values()].every(linearizable);
}
