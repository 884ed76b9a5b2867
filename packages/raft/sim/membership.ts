// Chooses membership changes for the simulated operator: add and remove voters and learners,
// promote and demote, one at a time or several at once through a joint configuration.

import type { SeededRandom } from '../src/rand.js';
import type { ConfChange, ConfChangeSingle, ConfChangeTransition, ConfState, NodeId } from '../src/types.js';

export interface MembershipPlan {
  change: ConfChange;
  /** Ids that the change brings in for the first time: their servers must be started. */
  newNodes: NodeId[];
  description: string;
}

export interface MembershipLimits {
  maxVoters: number;
  /** Ids never used before, in the order they may be handed out. */
  freshIds: NodeId[];
}

/** The change that leaves a joint configuration the application must leave itself. */
export function leaveJoint(): MembershipPlan {
  return { change: { changes: [] }, newNodes: [], description: 'leave joint config' };
}

export function planChange(r: SeededRandom, cs: ConfState, limits: MembershipLimits): MembershipPlan | undefined {
  if (cs.votersOutgoing.length > 0) return cs.autoLeave ? undefined : leaveJoint();
  const fresh = [...limits.freshIds];
  const changes: ConfChangeSingle[] = [];
  const newNodes: NodeId[] = [];
  let voters = [...cs.voters];
  let learners = [...cs.learners];
  const count = r.chance(0.25) ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const single = planSingle(r, voters, learners, fresh, limits.maxVoters);
    if (!single) break;
    changes.push(single);
    if (!cs.voters.includes(single.nodeId) && !cs.learners.includes(single.nodeId) && !newNodes.includes(single.nodeId)) {
      if (single.type !== 'removeNode') newNodes.push(single.nodeId);
    }
    voters = voters.filter((v) => v !== single.nodeId);
    learners = learners.filter((l) => l !== single.nodeId);
    if (single.type === 'addNode') voters.push(single.nodeId);
    if (single.type === 'addLearner') learners.push(single.nodeId);
  }
  if (changes.length === 0) return undefined;
  // A single change may still go through a joint configuration on request.
  const transition: ConfChangeTransition = changes.length > 1 || r.chance(0.2) ? r.pick(['auto', 'implicit', 'explicit'] as const) : 'auto';
  const described = changes.map((c) => `${c.type} ${c.nodeId}`).join(', ');
  return {
    change: { changes, transition },
    newNodes,
    description: `${described} (${transition})`,
  };
}

function planSingle(
  r: SeededRandom,
  voters: NodeId[],
  learners: NodeId[],
  fresh: NodeId[],
  maxVoters: number,
): ConfChangeSingle | undefined {
  const options: Array<() => ConfChangeSingle | undefined> = [];
  if (fresh.length > 0 && voters.length < maxVoters) options.push(() => ({ type: 'addNode', nodeId: fresh.shift()! }));
  if (fresh.length > 0) options.push(() => ({ type: 'addLearner', nodeId: fresh.shift()! }));
  if (learners.length > 0 && voters.length < maxVoters) options.push(() => ({ type: 'addNode', nodeId: r.pick(learners) }));
  if (learners.length > 0) options.push(() => ({ type: 'removeNode', nodeId: r.pick(learners) }));
  if (voters.length > 1) {
    options.push(() => ({ type: 'removeNode', nodeId: r.pick(voters) }));
    options.push(() => ({ type: 'addLearner', nodeId: r.pick(voters) }));
  }
  if (options.length === 0) return undefined;
  return r.pick(options)();
}
