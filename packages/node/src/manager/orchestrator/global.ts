// The global orchestrator (SwarmKit manager/orchestrator/global/global.go): one task per node
// that is not drained or down and meets the service's constraints. A paused node keeps the task it
// has but gets no new one; tasks on drained, down or deleted nodes, or on nodes that no longer
// meet the constraints, are shut down and not replaced.

import type { Node, Service, Task } from '@swarmlab/api';
import { groupByInstance, isUpdatable } from './restart-history.js';
import { isGlobal, newTask, rank, serviceConstraintsMatch, SHUTDOWN } from './task.js';
import { emptyChanges, type TaskChanges } from './types.js';

function shutdown(tasks: readonly Task[], changes: TaskChanges): void {
  for (const t of tasks) if (rank(t.DesiredState) < SHUTDOWN) changes.update.push({ id: t.ID, set: { DesiredState: 'shutdown' } });
}

export function reconcileGlobal(service: Service, tasks: Task[], nodes: Node[], now: number, newId: () => string): TaskChanges {
  const changes = emptyChanges();
  if (!isGlobal(service)) return changes;
  const own = tasks.filter((t) => t.ServiceID === service.ID);

  // The service's tasks on each node, counting only those that are part of the service.
  const byNode = new Map<string, Task[]>();
  for (const [, instance] of groupByInstance(service, own)) {
    const updatable = instance.filter((t) => isUpdatable(service, t, instance));
    if (updatable.length > 0) byNode.set(instance[0].NodeID ?? '', updatable);
  }

  const eligible = nodes.filter((n) => n.Spec.Availability !== 'drain' && n.Status?.State !== 'down').sort((a, b) => (a.ID < b.ID ? -1 : 1));
  for (const node of eligible) {
    const onNode = byNode.get(node.ID) ?? [];
    byNode.delete(node.ID);
    if (!serviceConstraintsMatch(service, node)) {
      shutdown(onNode, changes);
      continue;
    }
    if (node.Spec.Availability === 'pause') continue;
    if (onNode.length === 0) changes.create.push(newTask(service, { nodeId: node.ID, now, id: newId() }));
  }
  // Whatever is left sits on nodes that are drained, down or gone.
  for (const [, onNode] of byNode) shutdown(onNode, changes);
  return changes;
}
