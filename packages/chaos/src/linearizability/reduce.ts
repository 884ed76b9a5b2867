// Indeterminate operations that cannot matter are removed before the search: each one left in
// multiplies the orders it may consider. Both rules keep the verdict exactly.
// - An indeterminate CAS onto the value it expects, or from a value no operation ever puts in the
//   register, changes nothing wherever it takes effect.
// - An indeterminate write or CAS that leaves a value v nobody observes (no ok read returned v, no
//   CAS — ok or not — expects v) can move to the very end of any legal order. After it, until the
//   next write, only ops that do not observe v can run: indeterminate CASes expecting something
//   else, no-ops there (any that would fire once it is gone move to the end with it, being
//   indeterminate too); the next write does not depend on the state. At the end nothing reads
//   the register, so taking effect there is the same as never taking effect.

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
