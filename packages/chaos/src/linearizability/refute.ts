// Refuting a stuck point. Proving a history is not linearizable means exhausting every order of
// everything before the impossible operation, and indeterminate operations make that space
// explode: each may be used or not, at many points. So when the exact search stalls at one
// point, the history up to that point is searched again under a relaxation — indeterminate ops
// may take effect any number of times — whose search points are just (definite set, state), so
// exhausting them is cheap. Whatever the real history allows, the relaxation allows too, so if
// even the relaxation has no legal order, the history has none.

import type { KeyHistory } from './prepare.js';
import type { RegisterOp } from './register-model.js';
import { searchKey, type SearchBudget, type SearchOutcome } from './search.js';

export function refuteRelaxed(k: KeyHistory, stuck: RegisterOp, budget: SearchBudget): SearchOutcome {
  // Operations invoked after the stuck one returned cannot be what makes it impossible.
  const upToStuck = k.ops.filter((o) => o.callPos <= stuck.retPos);
  return searchKey(upToStuck, budget, { reusableIndeterminate: true });
}
