// Indeterminate operations that cannot matter are removed before the search: each one left in
// doubles the orders it may consider. Every rule here keeps the verdict exactly.
//
// Why the last two hold: an indeterminate op X that sets the register to a value v nobody observes
// (no ok read returned v, no cas — ok or not — expects v) can be moved to the very end of any legal
// order. After X, until the next write, only ops that do not observe v can run: indeterminate CASes
// expecting something else, which are no-ops there (any that would fire once X is gone move to the
// end with it, being indeterminate too). The next write does not depend on the state. At the end
// nothing reads the register, so X taking effect there is the same as X never taking effect.

import { CAS, WRITE, type RegisterOp } from './register-model.js';

/** Returns the ops the search needs, and how many indeterminate ones it could leave out. */
export function dropIrrelevantIndeterminate(ops: readonly RegisterOp[]): { kept: RegisterOp[]; dropped: number } {
  const observed = new Set<number>();
  const producible = new Set<number>([0]);
  for (const o of ops) {
    if (o.kind === CAS) {
      observed.add(o.a);
      producible.add(o.b);
    } else if (o.kind === WRITE) producible.add(o.a);
    else if (!o.info) observed.add(o.a);
  }
  const kept = ops.filter((o) => {
    if (!o.info) return true;
    if (o.kind === WRITE) return observed.has(o.a);
    // A CAS from a value the register can never hold, or onto the same value, changes nothing.
    if (o.a === o.b || !producible.has(o.a)) return false;
    return observed.has(o.b);
  });
  return { kept, dropped: ops.length - kept.length };
}
