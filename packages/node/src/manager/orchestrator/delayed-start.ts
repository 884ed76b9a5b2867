// Raising replacements from desired READY to RUNNING once their wait is over (SwarmKit
// restart.Supervisor.DelayStart / StartNow): the restart delay has passed and the task they
// replace has stopped, its node is down or gone, or a minute has passed.

import type { Node, Task } from '@swarmlab/api';
import { restartPolicy, hasStopped, timestampMs } from './task.js';
import { emptyChanges, type DelayedStart, type TaskChanges } from './types.js';

/** How long a replacement waits at most for the task it replaces to stop (defaultOldTaskTimeout). */
export const OLD_TASK_TIMEOUT_MS = 60_000;

export interface DelayedStartResult {
  changes: TaskChanges;
  /** Emulated ms at which a waiting task may become due; undefined when none waits. */
  nextCheckAt?: number;
}

/**
 * Tasks with desired state READY that have not stopped and whose wait is over get desired state
 * RUNNING. A task without an entry in `delayed` (e.g. after a leader change) is treated as
 * SwarmKit's taskinit does: due its restart delay after it was created, without waiting for the
 * old task.
 */
export function startDelayedTasks(
  tasks: Task[],
  nodes: Node[],
  now: number,
  delayed: ReadonlyMap<string, DelayedStart> = new Map(),
  timingScale = 1,
): DelayedStartResult {
  const changes = emptyChanges();
  const tasksById = new Map(tasks.map((t) => [t.ID, t]));
  const nodesById = new Map(nodes.map((n) => [n.ID, n]));
  let nextCheckAt: number | undefined;
  const later = (at: number) => {
    nextCheckAt = nextCheckAt === undefined ? at : Math.min(nextCheckAt, at);
  };
  for (const task of tasks) {
    if (task.DesiredState !== 'ready' || hasStopped(task)) continue;
    const created = timestampMs(task.CreatedAt) ?? now;
    const entry = delayed.get(task.ID) ?? { taskId: task.ID, notBefore: created + restartPolicy(task, timingScale).delayMs, since: created };
    if (now < entry.notBefore) {
      later(entry.notBefore);
      continue;
    }
    if (entry.waitForTaskId) {
      const old = tasksById.get(entry.waitForTaskId);
      const node = old?.NodeID ? nodesById.get(old.NodeID) : undefined;
      const oldGone = !old || hasStopped(old) || !old.NodeID || !node || node.Status?.State === 'down';
      const timedOut = now >= entry.since + OLD_TASK_TIMEOUT_MS;
      if (!oldGone && !timedOut) {
        later(entry.since + OLD_TASK_TIMEOUT_MS);
        continue;
      }
    }
    // A job's task runs to completion (SwarmKit StartNow).
    changes.update.push({ id: task.ID, set: { DesiredState: task.JobIteration ? 'complete' : 'running' } });
  }
  return { changes, nextCheckAt };
}
