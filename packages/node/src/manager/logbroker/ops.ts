// The control operations behind GET /services/{id}/logs and /tasks/{id}/logs: they run on the
// leader, where the agents' sessions (and so the log broker) are.

import type { Task } from '@swarmlab/api';
import { ApiError } from '../../errors.js';
import type { StoredObject } from '../../store/memory.js';
import type { ManagerContext } from '../context.js';
import { findService, inspectTask } from '../controlapi/services.js';
import type { LogBroker } from './broker.js';
import type { LogSelector } from './protocol.js';

type ControlOp = (ctx: ManagerContext, args: any) => unknown;

function selector(a: Record<string, unknown>): LogSelector {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return { since: num(a.since), tail: num(a.tail), follow: a.follow === true, stdout: a.stdout !== false, stderr: a.stderr !== false };
}

/** The tasks whose logs a request names, grouped by the node that runs (or ran) them. */
function tasksByNode(ctx: ManagerContext, a: { service?: string; task?: string }): Map<string, string[]> {
  let tasks: (Task & StoredObject)[];
  if (typeof a.service === 'string') {
    const s = findService(ctx, a.service);
    tasks = ctx.store.list<Task & StoredObject>('task').filter((t) => t.ServiceID === s.ID);
  } else if (typeof a.task === 'string') {
    tasks = [inspectTask(ctx, a.task) as unknown as Task & StoredObject];
  } else {
    throw new ApiError(400, 'a service or a task is required');
  }
  const byNode = new Map<string, string[]>();
  for (const t of tasks) {
    if (!t.NodeID) continue;
    const list = byNode.get(t.NodeID) ?? [];
    list.push(t.ID);
    byNode.set(t.NodeID, list);
  }
  return byNode;
}

export function logOps(broker: () => LogBroker): Record<string, { read: boolean; run: ControlOp }> {
  return {
    'logs.subscribe': { read: true, run: (c, a) => broker().subscribe({ byNode: tasksByNode(c, a), selector: selector(a) }) },
    'logs.poll': {
      read: false,
      run: (c, a) => {
        // Each line carries the context the API shows as details: its node, service and task.
        const { messages, done } = broker().poll(String(a.id));
        const enriched = messages.map((m) => {
          const t = c.store.get<Task & StoredObject>('task', m.taskId);
          return { ...m, nodeId: t?.NodeID ?? '', serviceId: t?.ServiceID ?? '' };
        });
        return { messages: enriched, done };
      },
    },
    'logs.cancel': { read: false, run: (_c, a) => broker().cancel(String(a.id)) },
  };
}
