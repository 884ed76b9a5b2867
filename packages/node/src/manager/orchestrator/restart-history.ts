// The restart policy's memory, read back from the tasks in the store the way SwarmKit rebuilds it
// after a leader change (taskinit.CheckTasks): within an instance (a slot, or a node for global
// services), the tasks with the newest spec in creation order are the original and its restarts.

import type { Service, Task } from '@swarmlab/api';
import { byCreation, isGlobal, restartPolicy, specKey, timestampMs, wantsToRun } from './task.js';

/** "slot:3" for replicated tasks (and replicated jobs'), "node:<id>" for global ones (and global jobs'). */
export function instanceKey(service: Service, task: Task): string {
  return isGlobal(service) || service.Spec.Mode.GlobalJob ? `node:${task.NodeID ?? ''}` : `slot:${task.Slot ?? 0}`;
}

/** The service's tasks by instance. */
export function groupByInstance(service: Service, tasks: readonly Task[]): Map<string, Task[]> {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    if (task.ServiceID !== service.ID) continue;
    const key = instanceKey(service, task);
    const list = groups.get(key);
    if (list) list.push(task);
    else groups.set(key, [task]);
  }
  return groups;
}

/** Restart tasks (creation times, ms) of the instance's current spec version, oldest first. */
function restartsOfNewestSpec(instance: readonly Task[]): { key: string; restarts: number[] } | undefined {
  const sorted = [...instance].sort(byCreation);
  if (sorted.length === 0) return undefined;
  const key = specKey(sorted[sorted.length - 1]);
  // The newest version's run: an update and a rollback to an older spec start a new history.
  let first = sorted.length - 1;
  while (first > 0 && specKey(sorted[first - 1]) === key) first--;
  const restarts = sorted.slice(first + 1).map((t) => timestampMs(t.CreatedAt) ?? 0);
  return { key, restarts };
}

/**
 * Whether the restart policy lets this stopped task be replaced (SwarmKit ShouldRestart):
 * condition none never, on-failure unless it completed, any always; and with MaxAttempts, only
 * while fewer restarts happened (within Window before the task stopped, when a window is set).
 */
export function shouldRestart(task: Task, instance: readonly Task[]): boolean {
  const policy = restartPolicy(task);
  if (policy.condition === 'none') return false;
  if (policy.condition === 'on-failure' && task.Status?.State === 'complete') return false;
  if (policy.maxAttempts === 0) return true;
  const history = restartsOfNewestSpec(instance);
  // An older spec's task: the history it counted against was reset by the update.
  if (!history || history.key !== specKey(task) || history.restarts.length === 0) return true;
  if (policy.windowMs === 0) return history.restarts.length < policy.maxAttempts;
  const stoppedAt = timestampMs(task.Status?.Timestamp);
  if (stoppedAt === undefined) return history.restarts.length < policy.maxAttempts;
  const lookback = stoppedAt - policy.windowMs;
  return history.restarts.filter((at) => at > lookback).length < policy.maxAttempts;
}

/**
 * Tasks the orchestrators and the updater consider part of the service (SwarmKit
 * IsTaskUpdatable): those meant to run, and stopped ones the policy will not restart (so a
 * finished `--restart-condition none` task keeps its slot), except during a rollback. Tasks with
 * desired state REMOVE never are: they belong to slots a scale-down took away.
 */
export function isUpdatable(service: Service, task: Task, instance: readonly Task[]): boolean {
  if (wantsToRun(task)) return true;
  // Scaled away: never part of the service again (SwarmKit reaches the same end, later).
  if (task.DesiredState === 'remove') return false;
  if (service.UpdateStatus?.State === 'rollback_started') return false;
  return !shouldRestart(task, instance);
}
