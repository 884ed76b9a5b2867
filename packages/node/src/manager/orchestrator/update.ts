// The rolling update supervisor (SwarmKit manager/orchestrator/update/updater.go) as a state
// machine: each call looks at the service and its tasks, moves the update on (replaces the next
// slots, notices failures, finishes after the monitoring period) and returns the task changes,
// the UpdateStatus to store and the memory to hand back next time. Losing the memory (a new
// leader) starts the update over on the slots still out of date, as SwarmKit does.

import { DEFAULT_UPDATE_MONITOR, defaultUpdateConfig, MILLISECOND, type Node, type Service, type Task, type UpdateConfig, type UpdateStatus } from '@swarmlab/api';
import { toDockerTime } from '../../clock.js';
import { instanceKey } from './restart-history.js';
import { hasStopped, isGlobal, newTask, rank, RUNNING, serviceSpecKey, specKey, timestampMs, wantsToRun } from './task.js';
import { emptyChanges, type TaskChanges } from './types.js';
import { isCleanTask, isSlotDirty, updateSlots, type UpdateSlot } from './update-slots.js';

export const UPDATE_IN_PROGRESS = 'update in progress';
export const UPDATE_COMPLETED = 'update completed';
export const ROLLBACK_COMPLETED = 'rollback completed';
export const updatePausedMessage = (taskId: string) => `update paused due to failure or early termination of task ${taskId}`;
export const updateRolledBackMessage = (taskId: string) => `update rolled back due to failure or early termination of task ${taskId}`;
export const rollbackPausedMessage = (taskId: string) => `rollback paused due to failure or early termination of task ${taskId}`;

/** A slot being replaced. */
export interface UpdateLane {
  slot: string;
  /** The task this update created for the slot. */
  taskId?: string;
  /** Emulated ms the new task reached RUNNING or later (the slot is then done, after Delay). */
  doneAt?: number;
  /** start-first: the tasks to shut down once the new one runs. */
  oldTaskIds: string[];
}

/** What the supervisor remembers between calls; plain data. */
export interface UpdateMemory {
  /** The task spec being rolled out; a different one starts a new update. */
  target: string;
  rollback: boolean;
  /** Out-of-date slots when the update started: the denominator of the failure ratio. */
  dirtySlots: number;
  /** Slots still to replace, in order. */
  queue: string[];
  lanes: UpdateLane[];
  /** Task ID → emulated ms it reached RUNNING (null until then), for tasks this update created. */
  started: Record<string, number | null>;
  failures: string[];
  /** When the last slot was done (its Delay included). */
  lastDoneAt?: number;
  monitorUntil?: number;
  /** The update completed, paused or turned into a rollback. */
  finished: boolean;
}

export interface UpdateStepInput {
  service: Service;
  tasks: Task[];
  nodes: Node[];
  now: number;
  newId: () => string;
  memory?: UpdateMemory;
  /** The profile's timing scale for Delay and Monitor (profile.ts specTimingScale); 1 when absent. */
  timingScale?: number;
}

export interface UpdateStep {
  /** Hand it back next call; undefined when no update runs. */
  memory?: UpdateMemory;
  changes: TaskChanges;
  /** The service's new UpdateStatus, when it changes. */
  updateStatus?: UpdateStatus;
  /** Failure action `rollback` fired: set Spec to PreviousSpec and clear PreviousSpec (with updateStatus). */
  rollback?: boolean;
  /** Emulated ms when calling again may move the update on. */
  nextCheckAt?: number;
}

interface Settings {
  parallelism: number;
  delayMs: number;
  monitorMs: number;
  /** What monitoring adds to a Delay at least as long as Monitor (SwarmKit: 1 s). */
  monitorSlackMs: number;
  failureAction: NonNullable<UpdateConfig['FailureAction']>;
  maxFailureRatio: number;
  startFirst: boolean;
}

function settings(service: Service, rollback: boolean, timingScale: number): Settings {
  const config = (rollback ? service.Spec.RollbackConfig : service.Spec.UpdateConfig) ?? defaultUpdateConfig();
  return {
    parallelism: config.Parallelism ?? 1,
    delayMs: ((config.Delay ?? 0) / MILLISECOND) * timingScale,
    monitorMs: ((config.Monitor ?? DEFAULT_UPDATE_MONITOR) / MILLISECOND) * timingScale,
    monitorSlackMs: 1000 * timingScale,
    failureAction: config.FailureAction ?? 'pause',
    maxFailureRatio: config.MaxFailureRatio ?? 0,
    startFirst: config.Order === 'start-first',
  };
}

function status(state: UpdateStatus['State'], startedAt: string | undefined, message: string, completedAt?: string): UpdateStatus {
  return { State: state, ...(startedAt ? { StartedAt: startedAt } : {}), ...(completedAt ? { CompletedAt: completedAt } : {}), Message: message };
}

/** When a task reached its current state: its status timestamp, unless that lies in the future. */
function reachedAt(task: Task, now: number): number {
  const at = timestampMs(task.Status?.Timestamp);
  return at !== undefined && at <= now ? at : now;
}

export function advanceUpdate(input: UpdateStepInput): UpdateStep {
  const { service, now } = input;
  const changes = emptyChanges();
  const current = service.UpdateStatus;
  if (current?.State === 'paused' || current?.State === 'rollback_paused') return { changes };
  const rollback = current?.State === 'rollback_started';
  const config = settings(service, rollback, input.timingScale ?? 1);
  const own = input.tasks.filter((t) => t.ServiceID === service.ID);
  const target = serviceSpecKey(service);
  const result: UpdateStep = { changes };
  let memory = input.memory;
  const starting = !memory || memory.target !== target || memory.rollback !== rollback;
  // The common case, checked without building the slots: nothing to update.
  if (starting && allTasksCurrent(service, own)) {
    if (current?.State === 'updating' || current?.State === 'rollback_started') result.updateStatus = completed(current, rollback, now);
    return result;
  }
  const nodesById = new Map(input.nodes.map((n) => [n.ID, n]));
  const slots = new Map(updateSlots(service, own, input.nodes).map((s) => [s.key, s]));
  const tasksById = new Map(own.map((t) => [t.ID, t]));

  if (!memory || starting) {
    const dirty = [...slots.values()].filter((s) => isSlotDirty(service, s, nodesById)).map((s) => s.key);
    if (dirty.length === 0) {
      if (current?.State === 'updating' || current?.State === 'rollback_started') result.updateStatus = completed(current, rollback, now);
      return result;
    }
    if (!current) result.updateStatus = status('updating', toDockerTime(now), UPDATE_IN_PROGRESS);
    memory = { target, rollback, dirtySlots: dirty.length, queue: dirty, lanes: [], started: {}, failures: [], finished: false };
  } else {
    memory = structuredClone(memory);
  }
  result.memory = memory;
  if (memory.finished) return result;
  const startedAt = result.updateStatus?.StartedAt ?? current?.StartedAt;

  observeLanes(memory, tasksById, changes, now);

  if (config.failureAction !== 'continue') {
    const failed = firstActionableFailure(memory, tasksById, config, now);
    if (failed) {
      memory.finished = true;
      if (config.failureAction === 'pause') {
        result.updateStatus = status(rollback ? 'rollback_paused' : 'paused', startedAt, updatePausedMessage(failed));
      } else if (rollback) {
        // A rollback is never rolled back.
        result.updateStatus = status('rollback_paused', startedAt, rollbackPausedMessage(failed));
      } else {
        result.rollback = true;
        result.updateStatus = status('rollback_started', startedAt, updateRolledBackMessage(failed));
      }
      return result;
    }
  }

  // Slots done (new task running, Delay passed) free their lane for the next slot.
  memory.lanes = memory.lanes.filter((lane) => {
    if (lane.doneAt === undefined || now < lane.doneAt + config.delayMs) return true;
    memory.lastDoneAt = Math.max(memory.lastDoneAt ?? 0, lane.doneAt + config.delayMs);
    return false;
  });
  const capacity = config.parallelism === 0 ? Number.POSITIVE_INFINITY : config.parallelism;
  while (memory.lanes.length < capacity && memory.queue.length > 0) {
    const slot = slots.get(memory.queue.shift() as string);
    if (!slot || !isSlotDirty(service, slot, nodesById)) continue;
    memory.lanes.push(replaceSlot(input, slot, nodesById, config, memory, changes));
  }

  if (memory.queue.length === 0 && memory.lanes.length === 0) {
    if (memory.monitorUntil === undefined) {
      // Keep watching for failures one more monitoring period (longer than Delay).
      const period = config.delayMs >= config.monitorMs ? config.delayMs + config.monitorSlackMs : config.monitorMs;
      memory.monitorUntil = Math.min(memory.lastDoneAt ?? now, now) + period;
    }
    if (now >= memory.monitorUntil) {
      memory.finished = true;
      result.updateStatus = completed(current ?? result.updateStatus, rollback, now);
      return result;
    }
  }
  result.nextCheckAt = nextCheck(memory, config, now);
  return result;
}

/**
 * True when no slot can be dirty: every task has the service's task spec and no instance has two
 * tasks meant to run (what isSlotDirty looks for, over all tasks instead of each slot's newest).
 */
function allTasksCurrent(service: Service, own: readonly Task[]): boolean {
  const target = serviceSpecKey(service);
  const running = new Set<string>();
  for (const task of own) {
    if (specKey(task) !== target) return false;
    if (!wantsToRun(task)) continue;
    const key = instanceKey(service, task);
    if (running.has(key)) return false;
    running.add(key);
  }
  return true;
}

function completed(current: UpdateStatus | undefined, rollback: boolean, now: number): UpdateStatus {
  return status(rollback ? 'rollback_completed' : 'completed', current?.StartedAt, rollback ? ROLLBACK_COMPLETED : UPDATE_COMPLETED, toDockerTime(now));
}

/** Notes new tasks reaching RUNNING; start-first lanes then shut the old tasks down. */
function observeLanes(memory: UpdateMemory, tasksById: ReadonlyMap<string, Task>, changes: TaskChanges, now: number): void {
  for (const [id, at] of Object.entries(memory.started)) {
    const task = tasksById.get(id);
    if (at === null && task && rank(task.Status?.State) >= RUNNING) memory.started[id] = reachedAt(task, now);
  }
  for (const lane of memory.lanes) {
    if (lane.doneAt !== undefined || lane.taskId === undefined) continue;
    const task = tasksById.get(lane.taskId);
    if (!task) {
      lane.doneAt = now; // deleted meanwhile: nothing left to wait for
      continue;
    }
    if (rank(task.Status?.State) < RUNNING) continue;
    lane.doneAt = reachedAt(task, now);
    if (task.Status?.State === 'running') shutDown(lane.oldTaskIds, tasksById, changes);
  }
}

function shutDown(ids: readonly string[], tasksById: ReadonlyMap<string, Task>, changes: TaskChanges): void {
  for (const id of ids) {
    const t = tasksById.get(id);
    if (t && wantsToRun(t)) changes.update.push({ id, set: { DesiredState: 'shutdown' } });
  }
}

/**
 * The first task of this update that stopped within the monitoring period after it started (or
 * before it ever ran) and pushed the failure ratio over MaxFailureRatio.
 */
function firstActionableFailure(memory: UpdateMemory, tasksById: ReadonlyMap<string, Task>, config: Settings, now: number): string | undefined {
  for (const id of Object.keys(memory.started).sort()) {
    if (memory.failures.includes(id)) continue;
    const task = tasksById.get(id);
    if (!task || !hasStopped(task)) continue;
    const startedAt = memory.started[id];
    if (startedAt !== null && reachedAt(task, now) - startedAt > config.monitorMs) continue;
    memory.failures.push(id);
    if (memory.failures.length / memory.dirtySlots > config.maxFailureRatio) return id;
  }
  return undefined;
}

/** One slot's replacement (SwarmKit Updater.worker): reuse an up-to-date task, or make a new one. */
function replaceSlot(
  input: UpdateStepInput,
  slot: UpdateSlot,
  nodesById: ReadonlyMap<string, Node>,
  config: Settings,
  memory: UpdateMemory,
  changes: TaskChanges,
): UpdateLane {
  const { service, now } = input;
  const tasksById = new Map(slot.tasks.map((t) => [t.ID, t]));
  const clean = slot.tasks.filter((t) => isCleanTask(service, slot, t, nodesById));
  const existing = clean.find((t) => t.DesiredState === 'running') ?? clean.find((t) => rank(t.DesiredState) < RUNNING);
  const others = slot.tasks.filter((t) => t !== existing).map((t) => t.ID);
  if (existing) {
    shutDown(others, tasksById, changes);
    if (existing.DesiredState !== 'running') {
      const waitFor = others.find((id) => wantsToRun(tasksById.get(id) as Task));
      changes.delayed?.push({ taskId: existing.ID, notBefore: now, since: now, ...(waitFor ? { waitForTaskId: waitFor } : {}) });
    }
    return { slot: slot.key, doneAt: now, oldTaskIds: [] };
  }

  const first = slot.tasks[0];
  const replacement = isGlobal(service)
    ? newTask(service, { nodeId: first.NodeID, now, id: input.newId() })
    : newTask(service, { slot: first.Slot, now, id: input.newId() });
  replacement.DesiredState = 'ready';
  changes.create.push(replacement);
  memory.started[replacement.ID] = null;
  const old = slot.tasks.filter(wantsToRun).map((t) => t.ID);
  if (config.startFirst) {
    changes.delayed?.push({ taskId: replacement.ID, notBefore: now, since: now });
    return { slot: slot.key, taskId: replacement.ID, oldTaskIds: old };
  }
  shutDown(old, tasksById, changes);
  changes.delayed?.push({ taskId: replacement.ID, notBefore: now, since: now, ...(old.length > 0 ? { waitForTaskId: old[0] } : {}) });
  return { slot: slot.key, taskId: replacement.ID, oldTaskIds: [] };
}

function nextCheck(memory: UpdateMemory, config: Settings, now: number): number | undefined {
  const times = memory.lanes.filter((l) => l.doneAt !== undefined).map((l) => (l.doneAt as number) + config.delayMs);
  if (memory.monitorUntil !== undefined) times.push(memory.monitorUntil);
  // Tasks started by this update fail the update only within the monitoring period.
  for (const at of Object.values(memory.started)) if (at !== null && at + config.monitorMs > now) times.push(at + config.monitorMs);
  const future = times.filter((t) => t > now);
  return future.length > 0 ? Math.min(...future) : undefined;
}
