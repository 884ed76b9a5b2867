// The task reaper (SwarmKit manager/orchestrator/taskreaper/task_reaper.go): keeps at most the
// retention limit of tasks per slot (per node for global services), deleting the oldest stopped
// ones first, and deletes tasks of removed slots once they have stopped.

import type { Service, Task } from '@swarmlab/api';
import { groupByInstance } from './restart-history.js';
import { ASSIGNED, COMPLETE, hasStopped, rank, timestampMs } from './task.js';

/** Tasks with desired state REMOVE (scale-down, service removal) that never got a node or have stopped. */
export function reapRemovedTasks(tasks: readonly Task[]): string[] {
  return tasks
    .filter((t) => t.DesiredState === 'remove' && (rank(t.Status?.State) < ASSIGNED || rank(t.Status?.State) >= COMPLETE))
    .map((t) => t.ID);
}

/** A task that was never assigned and is no longer wanted (shut down, removed) will never run. */
function willNeverRun(task: Task): boolean {
  return rank(task.Status?.State) < ASSIGNED && rank(task.DesiredState) > COMPLETE;
}

function byStatusTime(a: Task, b: Task): number {
  const ta = timestampMs(a.Status?.Timestamp);
  const tb = timestampMs(b.Status?.Timestamp);
  if (ta === undefined) return tb === undefined ? 0 : -1;
  if (tb === undefined) return 1;
  return ta - tb;
}

/**
 * IDs of the service's tasks to delete: removed-slot tasks that stopped, and per slot (node for
 * global services) the oldest stopped tasks beyond `retentionLimit` (the current one included).
 * With Restart.MaxAttempts > 0 the limit is MaxAttempts + 1 instead, so restart history survives.
 * A negative limit keeps everything.
 */
export function pruneHistory(service: Service, tasks: Task[], retentionLimit: number): string[] {
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  const doomed = new Set(reapRemovedTasks(own));
  const maxAttempts = service.Spec.TaskTemplate.RestartPolicy?.MaxAttempts ?? 0;
  const limit = maxAttempts > 0 ? maxAttempts + 1 : retentionLimit;
  if (limit < 0) return [...doomed];
  for (const [, instance] of groupByInstance(service, own)) {
    if (instance.length <= limit) continue;
    let keep = limit;
    for (const task of [...instance].sort(byStatusTime)) {
      if (!hasStopped(task) && !willNeverRun(task)) continue;
      doomed.add(task.ID);
      keep++;
      if (instance.length <= keep) break;
    }
  }
  return [...doomed];
}
