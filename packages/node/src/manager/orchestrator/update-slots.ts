// The slots a rolling update walks through (what SwarmKit's orchestrators hand to
// update.Supervisor.Update): for replicated services the Replicas slots that are kept, for
// global services one slot per node that should run the service.

import type { Node, Service, Task } from '@swarmlab/api';
import { scaleDownOrder } from './replicated.js';
import { groupByInstance, isUpdatable } from './restart-history.js';
import { byCreation, isGlobal, isTaskDirty, serviceConstraintsMatch, wantsToRun } from './task.js';

export interface UpdateSlot {
  /** "slot:3" or "node:<id>". */
  key: string;
  tasks: Task[];
  /** The node of a global slot. */
  node?: Node;
}

export function updateSlots(service: Service, tasks: readonly Task[], nodes: readonly Node[]): UpdateSlot[] {
  const nodesById = new Map(nodes.map((n) => [n.ID, n]));
  const slots: UpdateSlot[] = [];
  for (const [key, instance] of groupByInstance(service, tasks)) {
    const updatable = instance.filter((t) => isUpdatable(service, t, instance));
    if (updatable.length === 0) continue;
    if (isGlobal(service)) {
      const node = nodesById.get(updatable[0].NodeID ?? '');
      const eligible = node && node.Spec.Availability === 'active' && node.Status?.State !== 'down' && serviceConstraintsMatch(service, node);
      if (eligible) slots.push({ key, tasks: updatable, node });
    } else {
      slots.push({ key, tasks: updatable });
    }
  }
  if (isGlobal(service)) return slots.sort((a, b) => (a.key < b.key ? -1 : 1));
  const replicas = service.Spec.Mode.Replicated?.Replicas ?? 1;
  const kept = new Set(scaleDownOrder(slots.map((s) => s.tasks)).slice(0, replicas));
  return slots.filter((s) => kept.has(s.tasks)).sort((a, b) => (a.tasks[0].Slot ?? 0) - (b.tasks[0].Slot ?? 0));
}

/** A task of the slot is taken for the task it holds. */
function nodeOf(slot: UpdateSlot, task: Task, nodesById: ReadonlyMap<string, Node>): Node | undefined {
  return slot.node ?? (task.NodeID ? nodesById.get(task.NodeID) : undefined);
}

/**
 * Whether the slot needs updating: its newest task is out of date, or more than one of its tasks
 * is meant to run (a start-first update left half done).
 */
export function isSlotDirty(service: Service, slot: UpdateSlot, nodesById: ReadonlyMap<string, Node>): boolean {
  if (slot.tasks.filter(wantsToRun).length > 1) return true;
  const newest = [...slot.tasks].sort(byCreation).at(-1);
  return newest !== undefined && isTaskDirty(service, newest, nodeOf(slot, newest, nodesById));
}

export function isCleanTask(service: Service, slot: UpdateSlot, task: Task, nodesById: ReadonlyMap<string, Node>): boolean {
  return !isTaskDirty(service, task, nodeOf(slot, task, nodesById));
}
