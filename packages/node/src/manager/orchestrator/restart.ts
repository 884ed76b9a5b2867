// The restart supervisor (SwarmKit manager/orchestrator/restart/restart.go): a task that should
// run but stopped is shut down and, if its restart policy allows, replaced in the same slot (or
// on the same node for global services) by a task that waits for the restart delay with desired
// state READY before it may start.

import type { Node, Service, Task } from '@swarmlab/api';
import { groupByInstance, instanceKey, shouldRestart } from './restart-history.js';
import {
  hasStopped,
  invalidNode,
  isGlobal,
  isReplicated,
  newJobTask,
  newTask,
  rank,
  restartPolicy,
  serviceConstraintsMatch,
  SHUTDOWN,
  timestampMs,
  wantsToRun,
} from './task.js';
import { emptyChanges, type DelayedStart, type TaskChanges } from './types.js';

export interface RestartContext {
  service: Service;
  now: number;
  newId: () => string;
  nodesById?: ReadonlyMap<string, Node>;
  /** The service's tasks by instance (restart history). */
  instances: ReadonlyMap<string, Task[]>;
  /** The profile's timing scale for the restart delay (task.ts restartPolicy); 1 when absent. */
  timingScale?: number;
}

/** What restartTask needs to restart the service's tasks (`own`): every orchestrator builds it here. */
export function restartContext(service: Service, own: readonly Task[], now: number, newId: () => string, opts: RestartOptions = {}): RestartContext {
  const nodesById = opts.nodes ? new Map(opts.nodes.map((n) => [n.ID, n])) : undefined;
  return { service, now, newId, nodesById, instances: groupByInstance(service, own), timingScale: opts.timingScale };
}

/**
 * Shuts the task down and, when its policy allows, creates its replacement (SwarmKit
 * Supervisor.Restart). The delay is skipped on a drained node; the replacement also waits for
 * the old task to stop unless it already has or its node is down.
 */
export function restartTask(ctx: RestartContext, task: Task, changes: TaskChanges): Task | undefined {
  if (rank(task.DesiredState) < SHUTDOWN) changes.update.push({ id: task.ID, set: { DesiredState: 'shutdown' } });
  const instance = ctx.instances.get(instanceKey(ctx.service, task)) ?? [task];
  if (!shouldRestart(task, instance)) return undefined;
  let replacement: Task;
  const mode = ctx.service.Spec.Mode;
  if (isReplicated(ctx.service)) replacement = newTask(ctx.service, { slot: task.Slot, now: ctx.now, id: ctx.newId() });
  else if (isGlobal(ctx.service)) replacement = newTask(ctx.service, { nodeId: task.NodeID, now: ctx.now, id: ctx.newId() });
  else if (mode.ReplicatedJob) replacement = newJobTask(ctx.service, { slot: task.Slot, now: ctx.now, id: ctx.newId() });
  else if (mode.GlobalJob) replacement = newJobTask(ctx.service, { nodeId: task.NodeID, now: ctx.now, id: ctx.newId() });
  else return undefined;
  replacement.DesiredState = 'ready';
  const node = task.NodeID ? ctx.nodesById?.get(task.NodeID) : undefined;
  const delay = node?.Spec.Availability === 'drain' ? 0 : restartPolicy(task, ctx.timingScale).delayMs;
  const waitStop = !(node?.Status?.State === 'down') && !hasStopped(task);
  const delayed: DelayedStart = { taskId: replacement.ID, notBefore: ctx.now + delay, since: ctx.now };
  if (waitStop) delayed.waitForTaskId = task.ID;
  changes.create.push(replacement);
  (changes.delayed ??= []).push(delayed);
  return replacement;
}

/** When a task created with desired READY may start: a known DelayedStart, else its creation plus its restart delay. */
export function startTimeOf(task: Task, delayed?: ReadonlyMap<string, DelayedStart>, timingScale = 1): number {
  const known = delayed?.get(task.ID);
  if (known) return known.notBefore;
  return (timestampMs(task.CreatedAt) ?? 0) + restartPolicy(task, timingScale).delayMs;
}

export interface RestartOptions {
  /** The cluster's nodes: drained nodes skip the delay; global tasks follow node and constraint changes. */
  nodes?: readonly Node[];
  /** Start conditions returned earlier, to know when a replacement's own delay ends. */
  delayed?: ReadonlyMap<string, DelayedStart>;
  /** The profile's timing scale for restart delays; 1 when absent. */
  timingScale?: number;
}

/**
 * Decisions for the service's tasks that should run but have stopped (complete, failed,
 * rejected, shut down or orphaned without being asked to). A task that stopped during its own
 * restart delay is restarted only once that delay is over (no tight loops on a missing image).
 * Tasks on invalid nodes are left to reconcileReplicated/reconcileGlobal.
 */
export function restartDecisions(
  service: Service,
  tasks: Task[],
  now: number,
  newId: () => string,
  opts: RestartOptions = {},
): TaskChanges {
  const changes = emptyChanges();
  if (!isReplicated(service) && !isGlobal(service)) return changes;
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  const ctx = restartContext(service, own, now, newId, opts);
  const nodesById = ctx.nodesById;
  const stopped = own.filter((t) => wantsToRun(t) && hasStopped(t)).sort((a, b) => (a.ID < b.ID ? -1 : 1));
  for (const task of stopped) {
    if (task.DesiredState === 'ready' && now < startTimeOf(task, opts.delayed, opts.timingScale)) continue;
    if (isGlobal(service) && nodesById) {
      const node = task.NodeID ? nodesById.get(task.NodeID) : undefined;
      if (invalidNode(node)) continue; // reconcileGlobal shuts it down
      if (node?.Spec.Availability === 'pause' || (node && !serviceConstraintsMatch(service, node))) {
        changes.update.push({ id: task.ID, set: { DesiredState: 'shutdown' } });
        continue;
      }
    }
    restartTask(ctx, task, changes);
  }
  return changes;
}
