// Conditions for `lab.waitFor`, for what fault-injection scripts wait on most: a leader, a node's
// status as the leader reports it, a service's running tasks. Each asks the cluster afresh at
// every poll and, once it holds, gives back what it saw:
//
//   const leader = await lab.waitFor(leaderElected(lab, { not: oldLeader }), 10_000);
//   await lab.waitFor(nodeStatus(lab, 'worker1', 'down'), 20_000);
//   const tasks = await lab.waitFor(tasksRunning(lab, 'web', 5), 30_000);

import type { Node, NodeState, Task } from '@swarmlab/api';
import type { Condition } from './wait.js';
import { resolveAlias } from './lab.js';
import type { LabApi } from './remote.js';

/** How long one poll may wait for the leader's API. */
const CALL_TIMEOUT_MS = 3000;

async function leaderClient(lab: LabApi) {
  const leader = await lab.leader();
  return leader === undefined ? undefined : lab.client(leader, CALL_TIMEOUT_MS);
}

/** A leader, other than `not` if given (after a failover): its node name. */
export function leaderElected(lab: LabApi, options: { not?: string } = {}): Condition<string> {
  const not = options.not === undefined ? undefined : resolveAlias(options.not);
  return async () => {
    const leader = await lab.leader();
    return leader !== undefined && leader !== not ? leader : undefined;
  };
}

/** The node (by name or alias) in this state in the leader's `docker node ls`: its Node object. */
export function nodeStatus(lab: LabApi, node: string, state: NodeState): Condition<Node> {
  const hostname = resolveAlias(node);
  return async () => {
    const client = await leaderClient(lab);
    const found = (await client?.nodeList())?.find((n) => n.Description.Hostname === hostname);
    return found?.Status.State === state ? found : undefined;
  };
}

/**
 * Exactly `count` tasks of the service (name or ID) running, none of them on a node the leader
 * does not see Ready, as `docker service ps` shows them once the swarm has converged: the tasks.
 */
export function tasksRunning(lab: LabApi, service: string, count: number): Condition<Task[]> {
  return async () => {
    const client = await leaderClient(lab);
    if (!client) return undefined;
    const [tasks, nodes] = await Promise.all([client.taskList({ service: [service], 'desired-state': ['running'] }), client.nodeList()]);
    const ready = new Set(nodes.filter((n) => n.Status.State === 'ready').map((n) => n.ID));
    const running = tasks.filter((t) => t.Status.State === 'running' && ready.has(t.NodeID ?? ''));
    return running.length === count && running.length === tasks.length ? running : undefined;
  };
}
