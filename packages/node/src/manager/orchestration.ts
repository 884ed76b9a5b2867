// The leader's reconciliation loop: after any change to services, tasks or nodes it runs the
// pure decision cores — orchestrators (replicated, global, restart), the allocator's NEW →
// PENDING step, the scheduler, the task reaper and the orphaning of tasks on long-Down nodes —
// and commits their decisions through Raft as one transaction. It converges: a run on a stable
// store decides nothing.

import type { Node, Service, Task } from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki';
import { toDockerTime } from '../clock.js';
import type { Change, StoredObject } from '../store/memory.js';
import { clusterOf, commit, type ManagerContext } from './context.js';
import {
  advanceUpdate,
  emptyChanges,
  mergeChanges,
  orphanTasks,
  pruneHistory,
  reapRemovedTasks,
  reconcileGlobal,
  reconcileReplicated,
  restartDecisions,
  startDelayedTasks,
  type DelayedStart,
  type TaskChanges,
} from './orchestrator/index.js';
import type { UpdateMemory } from './orchestrator/update.js';
import { ASSIGNED_MESSAGE, CONFIRMED_MESSAGE, scheduleTasks } from './scheduler/index.js';

type T = Task & StoredObject;

export class Orchestration {
  private running = false;
  private scheduled = false;
  private busy = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onChange = (ev: { table: string }) => {
    if (ev.table === 'service' || ev.table === 'task' || ev.table === 'node') this.kick();
  };

  constructor(private readonly ctx: ManagerContext) {}

  start(): void {
    this.running = true;
    this.ctx.store.on('change', this.onChange);
    // Time-driven decisions (restart delays, orphaning after 24 h) need a pulse too.
    this.timer = this.ctx.clock.setInterval(() => this.kick(), Math.max(this.ctx.profile.raftTickMs * 10, 50));
    this.kick();
  }

  stop(): void {
    this.running = false;
    this.ctx.store.off('change', this.onChange);
    if (this.timer) clearInterval(this.timer);
  }

  private kick(): void {
    if (!this.running) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (!this.running || this.busy) return;
    this.busy = true;
    try {
      do {
        this.again = false;
        const changes = this.decide();
        if (changes.length > 0) await commit(this.ctx, changes);
      } while (this.again && this.running);
    } catch (e) {
      this.ctx.log('warn', 'orchestration: a round failed, retrying', { err: String(e) });
      this.again = true;
      setTimeout(() => this.kick(), 50);
    } finally {
      this.busy = false;
    }
  }

  /** Restart delays carried across rounds (rebuilt from CreatedAt after a leader change). */
  private delayed = new Map<string, DelayedStart>();
  /** Rolling-update progress per service (rebuilt from the tasks after a leader change). */
  private updates = new Map<string, UpdateMemory>();

  /** One round of decisions over the current store. */
  decide(): Change[] {
    const store = this.ctx.store;
    const now = this.ctx.clock.now();
    const services = store.list<Service & StoredObject>('service');
    const nodes = store.list<Node & StoredObject>('node');
    let tasks = store.list<T>('task');
    const changes: Change[] = [];
    let merged: TaskChanges = emptyChanges();
    const add = (c: TaskChanges) => {
      merged = mergeChanges(merged, c);
    };
    const newId = () => newIdentityId();
    const retention = clusterOf(this.ctx).Spec.Orchestration.TaskHistoryRetentionLimit ?? 5;
    const serviceSets: Record<string, Record<string, unknown>> = {};
    const byService = new Map<string, T[]>();
    for (const t of tasks) {
      const list = byService.get(t.ServiceID);
      if (list) list.push(t);
      else byService.set(t.ServiceID, [t]);
    }
    for (const s of services) {
      const own = byService.get(s.ID) ?? [];
      if (s.Spec.Mode.Global) add(reconcileGlobal(s, own, nodes, now, newId));
      else add(reconcileReplicated(s, own, nodes, now, newId));
      add(restartDecisions(s, own, now, newId, { nodes, delayed: this.delayed }));
      merged.remove.push(...pruneHistory(s, own, retention));
      const step = advanceUpdate({ service: s, tasks: own, nodes, now, newId, memory: this.updates.get(s.ID) });
      if (step.memory) this.updates.set(s.ID, step.memory);
      else this.updates.delete(s.ID);
      add(step.changes);
      if (step.updateStatus || step.rollback) {
        serviceSets[s.ID] = {
          ...(step.updateStatus ? { UpdateStatus: step.updateStatus } : {}),
          ...(step.rollback ? { Spec: s.PreviousSpec ?? s.Spec, PreviousSpec: null } : {}),
        };
      }
    }
    for (const d of merged.delayed ?? []) this.delayed.set(d.taskId, d);
    const started = startDelayedTasks(tasks, nodes, now, this.delayed);
    add(started.changes);
    for (const u of started.changes.update) this.delayed.delete(u.id);
    // Tasks of removed services: once shut down, the reaper deletes them.
    const live = new Set(services.map((s) => s.ID));
    for (const t of tasks) {
      if (!live.has(t.ServiceID) && t.DesiredState !== 'remove') merged.update.push({ id: t.ID, set: { DesiredState: 'remove' } });
    }
    merged.remove.push(...reapRemovedTasks(tasks));
    add(orphanTasks(tasks, nodes, now));

    // The allocator: NEW → PENDING (network attachments are not emulated beyond VIPs yet).
    const time = toDockerTime(now);
    const created = new Map(merged.create.map((t) => [t.ID, t]));
    const removed = new Set(merged.remove);
    for (const t of merged.create) {
      if (t.Status.State === 'new') t.Status = { Timestamp: time, State: 'pending', Message: 'pending task scheduling', PortStatus: {} };
    }
    for (const t of tasks) {
      if (t.Status.State === 'new' && !removed.has(t.ID)) {
        merged.update.push({ id: t.ID, set: { Status: { Timestamp: time, State: 'pending', Message: 'pending task scheduling', PortStatus: {} } } });
      }
    }
    // The scheduler sees the tasks as they will be after this round.
    tasks = [...tasks.filter((t) => !removed.has(t.ID)), ...(merged.create as T[])];
    const updatesById = new Map<string, Record<string, unknown>[]>();
    for (const u of merged.update) {
      const list = updatesById.get(u.id);
      if (list) list.push(u.set);
      else updatesById.set(u.id, [u.set]);
    }
    const view = tasks.map((t) => {
      const u = updatesById.get(t.ID);
      if (!u) return t;
      const copy = structuredClone(t) as T & Record<string, unknown>;
      for (const set of u) for (const [k, v] of Object.entries(set)) setPath(copy, k, v);
      return copy;
    });
    const viewById = new Map(view.map((t) => [t.ID, t]));
    const { assign, pending, confirmed } = scheduleTasks({ tasks: view, nodes, services, now });
    for (const [taskId, nodeId] of assign) {
      const status = { Timestamp: time, State: 'assigned' as const, Message: confirmed.has(taskId) ? CONFIRMED_MESSAGE : ASSIGNED_MESSAGE, PortStatus: {} };
      const c = created.get(taskId);
      if (c) Object.assign(c, { NodeID: nodeId, Status: status });
      else merged.update.push({ id: taskId, set: { NodeID: nodeId, Status: status } });
    }
    for (const [taskId, message] of pending) {
      const cur = viewById.get(taskId);
      if (cur?.Status.Err === message) continue;
      const status = { Timestamp: time, State: 'pending' as const, Message: 'pending task scheduling', Err: message, PortStatus: {} };
      const c = created.get(taskId);
      if (c) c.Status = status;
      else merged.update.push({ id: taskId, set: { Status: status } });
    }

    for (const t of merged.create) changes.push({ action: 'create', table: 'task', object: t as T });
    for (const u of merged.update) if (!removed.has(u.id) && !created.has(u.id)) changes.push({ action: 'patch', table: 'task', id: u.id, set: u.set });
    for (const id of removed) if (store.get('task', id)) changes.push({ action: 'delete', table: 'task', id });
    for (const [id, set] of Object.entries(serviceSets)) changes.push({ action: 'patch', table: 'service', id, set });
    return changes;
  }
}

function setPath(o: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let target = o;
  for (const k of keys.slice(0, -1)) {
    if (!target[k] || typeof target[k] !== 'object') target[k] = {};
    target = target[k] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = value;
}
