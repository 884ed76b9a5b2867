// The leader's reconciliation loop: after any change to services, tasks or nodes it runs the
// pure decision cores — orchestrators (replicated, global, restart), the allocator's NEW →
// PENDING step, the scheduler, the task reaper and the orphaning of tasks on long-Down nodes —
// and commits each round's decisions through Raft as one transaction (rounds that only create
// tasks overlap their commits). It converges: a run on a stable store decides nothing.

import { isNetworkAttachmentTask, type Node, type Service, type Task } from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki/light';
import { toDockerTime } from '../clock.js';
import { patched, type Change, type StoredObject } from '../store/memory.js';
import { clusterOf, commit, type ManagerContext } from './context.js';
import {
  advanceUpdate,
  emptyChanges,
  isJob,
  mergeChanges,
  orphanTasks,
  pruneHistory,
  reapRemovedTasks,
  reconcileGlobal,
  reconcileGlobalJob,
  reconcileReplicated,
  reconcileReplicatedJob,
  restartDecisions,
  startDelayedTasks,
  type DelayedStart,
  type TaskChanges,
  type TaskUpdate,
} from './orchestrator/index.js';
import type { UpdateMemory } from './orchestrator/update.js';
import { ASSIGNED_MESSAGE, CONFIRMED_MESSAGE, scheduleTasks } from './scheduler/index.js';
import { NetworkAllocation } from './allocator/network.js';
import type { Hold, Reserved } from './allocator/reservations.js';
import { specTimingScale } from '../profile.js';

type T = Task & StoredObject;

/**
 * New instances (scale-up slots, global tasks on new nodes) created per round; the rest come in
 * the rounds that follow at once. A 1,000-replica service then makes neither one huge Raft entry
 * nor one long round, and the leader keeps answering Raft heartbeats and agents meanwhile
 * (SwarmKit splits such batches too, at 200 changes per transaction).
 */
export const MAX_NEW_TASKS_PER_ROUND = 100;

/** Rounds of creations committing at once (see commitCreations). */
const MAX_CREATING_ROUNDS = 4;

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
    // Time-driven decisions (restart delays, update delays and monitors, orphaning after 24 h)
    // need a pulse too.
    this.timer = this.ctx.clock.setInterval(() => this.pulse(), Math.max(this.ctx.profile.raftTickMs * 10, 50));
    this.kick();
  }

  stop(): void {
    this.running = false;
    this.ctx.store.off('change', this.onChange);
    if (this.timer) clearInterval(this.timer);
    // Their commits fail with the lost leadership; a next term must not count on them.
    this.creating.clear();
  }

  /**
   * A timer's round. Skipped while nothing in it can depend on time: the store is as it was
   * after a round that decided nothing, no restart delay or rolling update is under way and no
   * node is down. Every tenth pulse runs anyway, as a safety net. (A round over 1,000 tasks
   * costs the leader ~9 ms: ten a second made an idle leader busy.)
   */
  private pulse(): void {
    this.pulses++;
    const quiet =
      this.ctx.store.appliedIndex === this.quietAt &&
      this.delayed.size === 0 &&
      this.updates.size === 0 &&
      !this.ctx.store.list<Node & StoredObject>('node').some((n) => n.Status.State !== 'ready');
    if (quiet && this.pulses % 10 !== 0) return;
    this.kick();
  }

  private pulses = 0;
  /** The store index after the last round that decided nothing (-1: none yet). */
  private quietAt = -1;

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
        // Enough creations on their way: the first to commit starts the next round.
        if (this.creating.size >= MAX_NEW_TASKS_PER_ROUND * MAX_CREATING_ROUNDS) break;
        const { changes, reserved } = this.decide();
        if (changes.length === 0) {
          this.quietAt = this.ctx.store.appliedIndex;
          continue;
        }
        this.quietAt = -1;
        // Addresses and subnets the round handed out stay reserved until its commit applies.
        const hold = this.ctx.reservations.hold(reserved);
        if (onlyPlainCreations(changes)) {
          this.commitCreations(changes, hold);
          this.again = true;
          // Raft and the agents get their turn between two rounds.
          await new Promise((resolve) => setImmediate(resolve));
        } else {
          try {
            await commit(this.ctx, changes);
          } finally {
            hold.release();
          }
        }
      } while (this.again && this.running);
    } catch (e) {
      this.ctx.log('warn', 'orchestration: a round failed, retrying', { err: String(e) });
      this.again = true;
      setTimeout(() => this.kick(), 50);
    } finally {
      this.busy = false;
    }
  }

  /** Tasks whose creation is being committed; rounds meanwhile take them as created. */
  private creating = new Map<string, T>();

  /**
   * Commits a round that only creates tasks without waiting for it: the next rounds see those
   * tasks (slots taken, nodes busier) and create the next ones, so a big service takes a few
   * Raft round trips instead of one per round. Whatever fails is decided again.
   */
  private commitCreations(changes: Change[], hold: Hold): void {
    const tasks = changes.flatMap((c) => (c.action === 'create' ? [c.object as T] : []));
    for (const t of tasks) this.creating.set(t.ID, t);
    commit(this.ctx, changes)
      .catch((e) => this.ctx.log('warn', 'orchestration: creating tasks failed, deciding again', { err: String(e) }))
      .finally(() => {
        for (const t of tasks) this.creating.delete(t.ID);
        hold.release();
        this.kick();
      });
  }

  /** Restart delays carried across rounds (rebuilt from CreatedAt after a leader change). */
  private delayed = new Map<string, DelayedStart>();
  /** Rolling-update progress per service (rebuilt from the tasks after a leader change). */
  private updates = new Map<string, UpdateMemory>();

  /** One round of decisions over the current store, with what its allocator handed out. */
  decide(): { changes: Change[]; reserved: Reserved[] } {
    const store = this.ctx.store;
    const now = this.ctx.clock.now();
    const services = store.list<Service & StoredObject>('service');
    const nodes = store.list<Node & StoredObject>('node');
    let tasks = store.list<T>('task');
    for (const t of this.creating.values()) if (!store.get('task', t.ID)) tasks.push(t);
    const changes: Change[] = [];
    let merged: TaskChanges = emptyChanges();
    const add = (c: TaskChanges) => {
      merged = mergeChanges(merged, c);
    };
    const newId = () => newIdentityId();
    const retention = clusterOf(this.ctx).Spec.Orchestration.TaskHistoryRetentionLimit ?? 5;
    const timingScale = specTimingScale(this.ctx.profile);
    const serviceSets: Record<string, Record<string, unknown>> = {};
    const byService = new Map<string, T[]>();
    for (const t of tasks) {
      const list = byService.get(t.ServiceID);
      if (list) list.push(t);
      else byService.set(t.ServiceID, [t]);
    }
    for (const s of services) {
      const own = byService.get(s.ID) ?? [];
      if (isJob(s)) {
        // Jobs restart their own failed tasks and have no rolling updates: an update is a new run.
        const opts = { nodes, delayed: this.delayed, timingScale };
        add(s.Spec.Mode.GlobalJob ? reconcileGlobalJob(s, own, nodes, now, newId, opts) : reconcileReplicatedJob(s, own, now, newId, opts));
        merged.remove.push(...pruneHistory(s, own, retention));
        continue;
      }
      if (s.Spec.Mode.Global) add(reconcileGlobal(s, own, nodes, now, newId));
      else add(reconcileReplicated(s, own, nodes, now, newId, MAX_NEW_TASKS_PER_ROUND, timingScale));
      add(restartDecisions(s, own, now, newId, { nodes, delayed: this.delayed, timingScale }));
      merged.remove.push(...pruneHistory(s, own, retention));
      const step = advanceUpdate({ service: s, tasks: own, nodes, now, newId, memory: this.updates.get(s.ID), timingScale });
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
    deferNewTasks(merged, MAX_NEW_TASKS_PER_ROUND);
    for (const d of merged.delayed ?? []) this.delayed.set(d.taskId, d);
    const started = startDelayedTasks(tasks, nodes, now, this.delayed, timingScale);
    add(started.changes);
    for (const u of started.changes.update) this.delayed.delete(u.id);
    // Tasks of removed services: once shut down, the reaper deletes them.
    const live = new Set(services.map((s) => s.ID));
    for (const t of tasks) {
      if (!live.has(t.ServiceID) && t.DesiredState !== 'remove' && !isNetworkAttachmentTask(t)) merged.update.push({ id: t.ID, set: { DesiredState: 'remove' } });
    }
    merged.remove.push(...reapRemovedTasks(tasks));
    add(orphanTasks(tasks, nodes, now));

    // The allocator: a task's network attachments, then NEW → PENDING (it stays NEW while a
    // network it needs is unallocated).
    const time = toDockerTime(now);
    const created = new Map(merged.create.map((t) => [t.ID, t]));
    const removed = new Set(merged.remove);
    const networks = new NetworkAllocation(store, { reservations: this.ctx.reservations });
    for (const t of merged.create) {
      const attached = t.Status.State === 'new' ? networks.taskAttachments(t) : null;
      if (attached) Object.assign(t, attached, { Status: { Timestamp: time, State: 'pending', Message: 'pending task scheduling', PortStatus: {} } });
    }
    for (const t of tasks) {
      const attached = t.Status.State === 'new' && !removed.has(t.ID) ? networks.taskAttachments(t) : null;
      if (!attached) continue;
      // A network attachment task came with the node that asked for it: nothing to schedule.
      const status = isNetworkAttachmentTask(t)
        ? { Timestamp: time, State: 'assigned', Message: ASSIGNED_MESSAGE, PortStatus: {} }
        : { Timestamp: time, State: 'pending', Message: 'pending task scheduling', PortStatus: {} };
      merged.update.push({ id: t.ID, set: { ...attached, Status: status } });
    }
    // The scheduler sees the tasks as they will be after this round; it has work only when a
    // task waits for a node (most rounds just record status reports).
    tasks = [...tasks.filter((t) => !removed.has(t.ID)), ...(merged.create as T[])];
    const waiting = tasks.some((t) => t.Status.State === 'pending' || t.Status.State === 'new');
    const view = waiting ? viewAfter(tasks, merged.update) : [];
    const viewById = new Map(view.map((t) => [t.ID, t]));
    const { assign, pending, confirmed } = waiting ? scheduleTasks({ tasks: view, nodes, services, now }) : { assign: new Map<string, string>(), pending: new Map<string, string>(), confirmed: new Set<string>() };
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
    changes.push(...networks.retryUnallocated(clusterOf(this.ctx)), ...networks.nodeChanges());
    return { changes, reserved: networks.handedOut };
  }
}

/**
 * A round that only creates tasks holding no network addresses: the next round can be decided
 * before it commits. (The allocator counts the addresses in use from the store, so tasks with
 * attachments must be stored before more are allocated.)
 */
function onlyPlainCreations(changes: readonly Change[]): boolean {
  return changes.every((c) => c.action === 'create' && c.table === 'task' && !(c.object as T).NetworksAttachments?.length);
}

/** The tasks with the round's updates applied (copies of the changed ones only). */
function viewAfter(tasks: T[], updates: readonly TaskUpdate[]): T[] {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const u of updates) {
    const list = byId.get(u.id);
    if (list) list.push(u.set);
    else byId.set(u.id, [u.set]);
  }
  return tasks.map((t) => {
    const sets = byId.get(t.ID);
    return sets ? (sets.reduce<StoredObject>((o, set) => patched(o, set), t) as T) : t;
  });
}

/**
 * Keeps at most `max` of the round's new instances (tasks created to run at once; replacements
 * wait with desired READY and always go). The lowest slots go first; the others are decided
 * again next round, as their slots are still missing.
 */
export function deferNewTasks(changes: TaskChanges, max: number): void {
  const fresh = changes.create.filter((t) => t.DesiredState === 'running');
  if (fresh.length <= max) return;
  const later = new Set(fresh.slice(max).map((t) => t.ID));
  changes.create = changes.create.filter((t) => !later.has(t.ID));
  changes.delayed = changes.delayed?.filter((d) => !later.has(d.taskId));
}
