// What the orchestrators decide: tasks to create, fields to set on existing tasks (dotted paths),
// tasks to delete, and replacement tasks whose start waits (restart delay, old task stopping).

import type { Task } from '@swarmlab/api';

export interface TaskUpdate {
  id: string;
  /** Dotted paths, e.g. { DesiredState: 'shutdown' } or { 'Status.State': 'orphaned' }. */
  set: Record<string, unknown>;
}

/**
 * A task created with DesiredState `ready` that must be raised to `running` later (SwarmKit's
 * restart supervisor DelayStart): not before `notBefore`, and, when `waitForTaskId` is set, not
 * before that old task has stopped (state past running, its node down or gone) or
 * OLD_TASK_TIMEOUT_MS have passed since `since`. startDelayedTasks applies these.
 */
export interface DelayedStart {
  taskId: string;
  /** Emulated ms. */
  notBefore: number;
  waitForTaskId?: string;
  /** Emulated ms when the wait began (the replacement's creation). */
  since: number;
}

export interface TaskChanges {
  create: Task[];
  update: TaskUpdate[];
  remove: string[];
  /** Start conditions of created `ready` tasks; every function here fills it (possibly empty). */
  delayed?: DelayedStart[];
}

export function emptyChanges(): TaskChanges {
  return { create: [], update: [], remove: [], delayed: [] };
}

/** Appends `more` to `into` and returns `into`. */
export function mergeChanges(into: TaskChanges, more: TaskChanges): TaskChanges {
  into.create.push(...more.create);
  into.update.push(...more.update);
  into.remove.push(...more.remove);
  (into.delayed ??= []).push(...(more.delayed ?? []));
  return into;
}
