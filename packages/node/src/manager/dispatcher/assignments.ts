// Which tasks a node's agent holds and what it must be told when they change (SwarmKit
// dispatcher.Assignments): the first message of a session carries the complete set, later ones
// only the tasks that changed in a way the agent cares about and the IDs of those it must drop.
// Status changes the agent itself reported are not echoed back (equality.TasksEqualStable), so a
// task's six state transitions cost no message to its node.

import { isDeepStrictEqual } from 'node:util';
import { taskStateRank, type TaskState } from '@swarmlab/api';

/** The fields of a stored task this module reads. */
export interface AssignableTask {
  ID: string;
  NodeID?: string;
  Status: { State: string; [field: string]: unknown };
  [field: string]: unknown;
}

const ASSIGNED = taskStateRank('assigned');

/** Fields that do not make two versions of a task different to its agent (Status, Meta). */
const UNSTABLE_FIELDS: ReadonlySet<string> = new Set(['Status', 'Version', 'CreatedAt', 'UpdatedAt']);

function stateRank(task: AssignableTask): number {
  return taskStateRank(task.Status.State as TaskState);
}

/** Tasks the scheduler has placed on `nodeId` (state ASSIGNED or later) belong to its agent. */
export function isAssignedTo(task: AssignableTask | undefined, nodeId: string): task is AssignableTask {
  return task !== undefined && task.NodeID === nodeId && stateRank(task) >= ASSIGNED;
}

/** Equal but for Status and Meta (SwarmKit equality.TasksEqualStable). */
export function tasksEqualStable(a: AssignableTask, b: AssignableTask): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (UNSTABLE_FIELDS.has(key)) continue;
    // Patched objects share their unchanged parts, so identity settles most fields at once.
    if (a[key] !== b[key] && !isDeepStrictEqual(a[key], b[key])) return false;
  }
  return true;
}

/**
 * Whether a store change of a task may have to reach the agent of `nodeId`. A change of Status
 * alone past ASSIGNED is the agent's own report coming back: it already knows.
 */
export function mayConcernAgent(nodeId: string, now: AssignableTask | undefined, old: AssignableTask | undefined): boolean {
  if (!now || !old) return true;
  if (now.NodeID !== old.NodeID) return true;
  if (!isAssignedTo(now, nodeId)) return isAssignedTo(old, nodeId);
  return stateRank(now) <= ASSIGNED || !tasksEqualStable(old, now);
}

export interface AssignmentDiff<T extends AssignableTask> {
  /** Tasks the agent gets for the first time or must see again. */
  updated: T[];
  /** IDs of tasks the agent must forget. */
  removed: string[];
}

/** What one session's agent holds, as last sent. */
export class AssignmentSet<T extends AssignableTask> {
  private readonly held = new Map<string, T>();

  constructor(readonly nodeId: string) {}

  get size(): number {
    return this.held.size;
  }

  /** Replaces what the agent holds with the tasks assigned to its node among `tasks`; returns those. */
  complete(tasks: Iterable<T>): T[] {
    this.held.clear();
    const out: T[] = [];
    for (const task of tasks) {
      if (!isAssignedTo(task, this.nodeId)) continue;
      this.held.set(task.ID, task);
      out.push(task);
    }
    return out;
  }

  /**
   * The incremental message for tasks that changed: `current` gives each task as it is now
   * (undefined once deleted). Tasks still at ASSIGNED are always sent, since that state comes
   * from the scheduler and not from the agent.
   */
  diff(changed: Iterable<string>, current: (id: string) => T | undefined): AssignmentDiff<T> {
    const updated: T[] = [];
    const removed: string[] = [];
    for (const id of changed) {
      const task = current(id);
      const before = this.held.get(id);
      if (isAssignedTo(task, this.nodeId)) {
        if (!before || stateRank(task) <= ASSIGNED || !tasksEqualStable(before, task)) updated.push(task);
        this.held.set(id, task);
      } else if (before) {
        this.held.delete(id);
        removed.push(id);
      }
    }
    return { updated, removed };
  }
}
