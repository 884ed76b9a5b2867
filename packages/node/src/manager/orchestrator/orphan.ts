// Orphaning (SwarmKit dispatcher moveTasksToOrphaned, controlapi orphanNodeTasks): tasks that may
// still run on a node that has been down for 24 hours, or on a node that was removed, are marked
// ORPHANED since nobody can know what became of them.

import type { Node, Task } from '@swarmlab/api';
import { toDockerTime } from '../../clock.js';
import { ASSIGNED, COMPLETE, rank, RUNNING, timestampMs } from './task.js';
import { emptyChanges, type TaskChanges } from './types.js';

/** defaultNodeDownPeriod: no jitter. */
export const NODE_DOWN_PERIOD_MS = 24 * 60 * 60_000;

/**
 * Tasks in ASSIGNED…RUNNING on nodes down for NODE_DOWN_PERIOD_MS get Status.State ORPHANED
 * (only the state changes, as in SwarmKit). A node's down time is taken from `downSince` (emulated
 * ms the node went down) or else from the node's UpdatedAt.
 */
export function orphanTasks(tasks: Task[], nodes: Node[], now: number, downSince?: ReadonlyMap<string, number>): TaskChanges {
  const changes = emptyChanges();
  const expired = new Set<string>();
  for (const node of nodes) {
    if (node.Status?.State !== 'down') continue;
    const since = downSince?.get(node.ID) ?? timestampMs(node.UpdatedAt);
    if (since !== undefined && now - since >= NODE_DOWN_PERIOD_MS) expired.add(node.ID);
  }
  if (expired.size === 0) return changes;
  for (const task of tasks) {
    if (!task.NodeID || !expired.has(task.NodeID)) continue;
    const r = rank(task.Status?.State);
    if (r >= ASSIGNED && r <= RUNNING) changes.update.push({ id: task.ID, set: { 'Status.State': 'orphaned' } });
  }
  return changes;
}

/** `docker node rm`: the node's unfinished tasks become ORPHANED at once, with SwarmKit's message. */
export function orphanTasksOfRemovedNode(tasks: Task[], nodeId: string, now: number): TaskChanges {
  const changes = emptyChanges();
  const time = toDockerTime(now);
  for (const task of tasks) {
    if (task.NodeID !== nodeId || rank(task.Status?.State) >= COMPLETE) continue;
    changes.update.push({
      id: task.ID,
      set: { Status: { Timestamp: time, State: 'orphaned', Message: 'Task belonged to a node that has been deleted', PortStatus: {} } },
    });
  }
  return changes;
}
