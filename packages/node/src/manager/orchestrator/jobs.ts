// Jobs (SwarmKit manager/orchestrator/jobs): services whose tasks run to completion. Each run of a
// job is an iteration (Service.JobStatus.JobIteration, raised by every update); its tasks carry
// that iteration and the desired state COMPLETE, and one that completes is never run again.
//   replicated-job: at most MaxConcurrent tasks at once until TotalCompletions have completed,
//                   each in its own slot 0…TotalCompletions-1; tasks of older iterations are
//                   removed.
//   global-job:     one task on every ready, active node that matches the constraints and joined
//                   before the iteration began; tasks of older iterations are shut down.
// A task that fails is replaced in its slot (on its node) by the restart supervisor, for which the
// default condition `any` means on failure here.

import type { Node, Service, Task } from '@swarmlab/api';
import { restartContext, restartTask, type RestartOptions } from './restart.js';
import { COMPLETE, invalidNode, jobIteration, newJobTask, rank, RUNNING, serviceConstraintsMatch, SHUTDOWN, timestampMs } from './task.js';
import { emptyChanges, type TaskChanges } from './types.js';

const ofIteration = (task: Task, iteration: number) => task.JobIteration?.Index === iteration;

/** Still meant to run toward completion (a replacement waiting at READY included). */
const meantToComplete = (task: Task) => rank(task.DesiredState) <= COMPLETE;

/** Stopped without completing: failed, rejected, shut down, orphaned. */
const stoppedShort = (task: Task) => rank(task.Status?.State) > COMPLETE;

function restartFailed(service: Service, failed: Task[], tasks: Task[], now: number, newId: () => string, opts: RestartOptions, changes: TaskChanges): void {
  if (failed.length === 0) return;
  const ctx = restartContext(service, tasks, now, newId, opts);
  for (const task of [...failed].sort((a, b) => (a.ID < b.ID ? -1 : 1))) restartTask(ctx, task, changes);
}

export function reconcileReplicatedJob(service: Service, tasks: Task[], now: number, newId: () => string, opts: RestartOptions = {}): TaskChanges {
  const changes = emptyChanges();
  const job = service.Spec.Mode.ReplicatedJob;
  if (!job) return changes;
  const iteration = jobIteration(service);
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  let running = 0;
  let completed = 0;
  const slots = new Set<number>();
  const failed: Task[] = [];
  for (const task of own) {
    if (!ofIteration(task, iteration)) {
      if (rank(task.Status?.State) <= RUNNING && task.DesiredState !== 'remove') changes.update.push({ id: task.ID, set: { DesiredState: 'remove' } });
      continue;
    }
    if (task.Status?.State === 'complete') {
      completed++;
      slots.add(task.Slot ?? 0);
    } else if (meantToComplete(task)) {
      running++;
      slots.add(task.Slot ?? 0);
      if (stoppedShort(task)) failed.push(task);
    }
  }
  const maxConcurrent = job.MaxConcurrent ?? 1;
  const total = job.TotalCompletions ?? maxConcurrent;
  const wanted = Math.max(0, Math.min(maxConcurrent - running, total - completed - running));
  for (let i = 0, slot = 0; i < wanted; i++) {
    while (slots.has(slot)) slot++;
    if (slot >= total) break;
    slots.add(slot);
    changes.create.push(newJobTask(service, { slot, now, id: newId() }));
  }
  restartFailed(service, failed, own, now, newId, opts, changes);
  return changes;
}

export function reconcileGlobalJob(service: Service, tasks: Task[], nodes: readonly Node[], now: number, newId: () => string, opts: RestartOptions = {}): TaskChanges {
  const changes = emptyChanges();
  if (!service.Spec.Mode.GlobalJob) return changes;
  const iteration = jobIteration(service);
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  // Nodes that joined after this iteration began do not run it.
  const began = timestampMs(service.JobStatus?.LastExecution) ?? timestampMs(service.CreatedAt) ?? now;
  const byNode = new Map<string, Task>();
  const failed: Task[] = [];
  for (const task of own) {
    if (!ofIteration(task, iteration)) {
      if (rank(task.DesiredState) < SHUTDOWN) changes.update.push({ id: task.ID, set: { DesiredState: 'shutdown' } });
      continue;
    }
    if (!meantToComplete(task)) continue;
    if (stoppedShort(task)) failed.push(task);
    if (task.NodeID) byNode.set(task.NodeID, task);
  }
  for (const node of nodes) {
    if (!serviceConstraintsMatch(service, node)) continue;
    const task = byNode.get(node.ID);
    if (invalidNode(node)) {
      if (task && rank(task.Status?.State) <= RUNNING) changes.update.push({ id: task.ID, set: { DesiredState: 'shutdown' } });
      continue;
    }
    if (task || node.Spec.Availability !== 'active' || node.Status?.State !== 'ready') continue;
    const joined = timestampMs(node.CreatedAt);
    if (joined === undefined || joined >= began) continue;
    changes.create.push(newJobTask(service, { nodeId: node.ID, now, id: newId() }));
  }
  const onValidNodes = failed.filter((t) => !invalidNode(nodes.find((n) => n.ID === t.NodeID)));
  restartFailed(service, onValidNodes, own, now, newId, { ...opts, nodes }, changes);
  return changes;
}
