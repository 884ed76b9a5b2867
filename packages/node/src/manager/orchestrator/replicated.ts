// The replicated orchestrator (SwarmKit manager/orchestrator/replicated/{services,tasks}.go):
// keeps Replicas slots, numbered from 1, each with a task meant to run. New replicas take the
// lowest free slot numbers; a scale-down gives up slots on the nodes with the most copies first,
// then slots whose task is not running, and sets their tasks' desired state to REMOVE (the task
// reaper deletes them once stopped). Tasks on nodes that are down, drained or gone are replaced
// at once through the restart supervisor.

import type { Node, Service, Task } from '@swarmlab/api';
import { isUpdatable } from './restart-history.js';
import { restartContext, restartTask } from './restart.js';
import { ASSIGNED, hasStopped, invalidNode, isReplicated, newTask, rank, REMOVE, RUNNING, wantsToRun } from './task.js';
import { emptyChanges, type TaskChanges } from './types.js';

type Slot = Task[];

/** Order in which slots are kept when scaling down; the tail is removed (SwarmKit slotsByRunningState, slotsByIndex). */
export function scaleDownOrder(slots: readonly Slot[]): Slot[] {
  // Start from slot numbers so that, all else equal, the highest numbers go first.
  const byNumber = [...slots].sort((a, b) => (a[0].Slot ?? 0) - (b[0].Slot ?? 0));
  const running = (slot: Slot) => slot.some((t) => t.Status?.State === 'running');
  const runningFirst = [...byNumber.filter(running), ...byNumber.filter((s) => !running(s))];
  // Each slot's rank among the service's slots on its node: 1 for the first copy, 2 for the second…
  const perNode = new Map<string, number>();
  const indexed = runningFirst.map((slot) => {
    if (slot.length === 1 && slot[0].NodeID) {
      const n = (perNode.get(slot[0].NodeID) ?? 0) + 1;
      perNode.set(slot[0].NodeID, n);
      return { slot, index: n };
    }
    return { slot, index: -1 };
  });
  const key = (i: number) => (i < 0 ? Number.POSITIVE_INFINITY : i);
  return indexed.sort((a, b) => key(a.index) - key(b.index)).map((x) => x.slot);
}

/** Whether an agent may still be running the task's container. */
function mayBeRunning(task: Task): boolean {
  const r = rank(task.Status?.State);
  return r >= ASSIGNED && r <= RUNNING;
}

/**
 * `maxNew` bounds the tasks created for missing slots in one call (the lowest slots first); the
 * others are created by later calls, and their slots' history is kept for them meanwhile.
 */
export function reconcileReplicated(
  service: Service,
  tasks: Task[],
  nodes: Node[],
  now: number,
  newId: () => string,
  maxNew = Number.POSITIVE_INFINITY,
  timingScale = 1,
): TaskChanges {
  const changes = emptyChanges();
  if (!isReplicated(service)) return changes;
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  // Tasks moved off invalid nodes wait the restart delay too, scaled like every other.
  const ctx = restartContext(service, own, now, newId, { nodes, timingScale });
  const nodesById = ctx.nodesById!;
  const instances = ctx.instances;

  // Tasks on invalid nodes: shut down and replaced now, without waiting for them to stop.
  const moved = new Map<string, Task>(); // old task ID → replacement
  for (const task of own) {
    if (!wantsToRun(task) || hasStopped(task) || !task.NodeID || !invalidNode(nodesById.get(task.NodeID))) continue;
    const replacement = restartTask(ctx, task, changes);
    if (replacement) moved.set(task.ID, replacement);
  }

  // The slots as they are after those restarts.
  const current = (t: Task): Task => (moved.has(t.ID) ? { ...t, DesiredState: 'shutdown' } : t);
  const runnable = new Map<number, Slot>();
  const dead = new Map<number, Slot>();
  for (const [, instance] of instances) {
    const slotNumber = instance[0].Slot ?? 0;
    const view = instance.map(current);
    for (const t of instance) {
      const r = moved.get(t.ID);
      if (r) view.push(r);
    }
    const updatable = view.filter((t) => isUpdatable(service, t, view));
    if (updatable.length > 0) runnable.set(slotNumber, updatable);
    else dead.set(slotNumber, view);
  }

  const replicas = service.Spec.Mode.Replicated?.Replicas ?? 1;
  if (replicas > runnable.size) {
    let slotNumber = 0;
    for (let i = runnable.size; i < replicas; i++) {
      do slotNumber++;
      while (runnable.has(slotNumber));
      dead.delete(slotNumber); // its history stays with the new task
      if (i - runnable.size < maxNew) changes.create.push(newTask(service, { slot: slotNumber, now, id: newId() }));
    }
  } else if (replicas < runnable.size) {
    const removed = scaleDownOrder([...runnable.values()]).slice(replicas);
    const created = new Set(changes.create.map((t) => t.ID));
    for (const slot of removed) {
      for (const task of slot) {
        if (created.has(task.ID)) {
          // A replacement made above for a slot that goes away: simply do not create it.
          changes.create = changes.create.filter((t) => t.ID !== task.ID);
          changes.delayed = changes.delayed?.filter((d) => d.taskId !== task.ID);
        } else if (rank(task.DesiredState) < REMOVE) {
          changes.update.push({ id: task.ID, set: { DesiredState: 'remove' } });
        }
      }
    }
  }

  // Slots no task of which will run again are deleted, once no agent may still run them.
  for (const [, slot] of dead) for (const task of slot) if (!mayBeRunning(task)) changes.remove.push(task.ID);
  return changes;
}
