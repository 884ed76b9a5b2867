// Task-level facts the orchestrators share (SwarmKit manager/orchestrator/task.go): making a new
// task, the restart policy with its defaults, whether a task is out of date, invalid nodes.

import {
  DEFAULT_RESTART_DELAY,
  MILLISECOND,
  taskSpecFromServiceSpec,
  taskStateRank,
  type Node,
  type RestartCondition,
  type Service,
  type Task,
  type TaskState,
} from '@swarmlab/api';
import { toDockerTime } from '../../clock.js';
import { cachedKey, canonicalJson, nodeMatchesConstraints, timestampMs, tryParseConstraints } from '../scheduler/index.js';

export function rank(state: TaskState): number {
  return taskStateRank(state);
}

export const RUNNING = rank('running');
export const SHUTDOWN = rank('shutdown');
export const REMOVE = rank('remove');
export const ASSIGNED = rank('assigned');
export const COMPLETE = rank('complete');

/** Desired state RUNNING or earlier (READY during a restart delay). */
export function wantsToRun(task: Task): boolean {
  return rank(task.DesiredState) <= RUNNING;
}

/** Observed state past RUNNING: complete, shutdown, failed, rejected, orphaned… */
export function hasStopped(task: Task): boolean {
  return rank(task.Status?.State) > RUNNING;
}

export { timestampMs } from '../scheduler/index.js';

export function isReplicated(service: Service): boolean {
  return service.Spec.Mode.Replicated !== undefined;
}

export function isGlobal(service: Service): boolean {
  return service.Spec.Mode.Global !== undefined;
}

export function isJob(service: Service): boolean {
  return service.Spec.Mode.ReplicatedJob !== undefined || service.Spec.Mode.GlobalJob !== undefined;
}

/** The iteration a job is on (0 until its first update). */
export function jobIteration(service: Service): number {
  return service.JobStatus?.JobIteration.Index ?? 0;
}

/**
 * A new task of the service as the orchestrator stores it: state NEW "created", desired RUNNING,
 * Spec a copy of the TaskTemplate without Runtime (api-tasks.json). Replicated tasks get a Slot,
 * global ones their NodeID.
 */
export function newTask(service: Service, opts: { slot?: number; nodeId?: string; now: number; id: string }): Task {
  const time = toDockerTime(opts.now);
  const task: Task = {
    ID: opts.id,
    Version: { Index: 0 },
    CreatedAt: time,
    UpdatedAt: time,
    Labels: {},
    Spec: JSON.parse(templateJson(service)) as Task['Spec'],
    ServiceID: service.ID,
    Status: { Timestamp: time, State: 'new', Message: 'created', PortStatus: {} },
    DesiredState: 'running',
  };
  // Keep the JSON field order of a real task: ServiceID, Slot, NodeID, Status, DesiredState.
  const { Status, DesiredState, ...head } = task;
  return {
    ...head,
    ...(opts.slot !== undefined ? { Slot: opts.slot } : {}),
    ...(opts.nodeId !== undefined ? { NodeID: opts.nodeId } : {}),
    Status,
    DesiredState,
  };
}

/** A new task of the job's current iteration, meant to run to completion. */
export function newJobTask(service: Service, opts: { slot?: number; nodeId?: string; now: number; id: string }): Task {
  return { ...newTask(service, opts), DesiredState: 'complete', JobIteration: { Index: jobIteration(service) } };
}

export interface ResolvedRestartPolicy {
  condition: RestartCondition;
  delayMs: number;
  /** 0 = unlimited. */
  maxAttempts: number;
  /** 0 = every restart counts. */
  windowMs: number;
}

/**
 * The task's restart policy with SwarmKit's defaults: any, 5 s, unlimited, no window. The delay is
 * multiplied by the profile's timing scale (profile.ts specTimingScale); the window, which only
 * counts past restarts, is not.
 */
export function restartPolicy(task: Task, timingScale = 1): ResolvedRestartPolicy {
  const p = task.Spec?.RestartPolicy;
  return {
    condition: p?.Condition ?? 'any',
    delayMs: ((p?.Delay ?? DEFAULT_RESTART_DELAY) / MILLISECOND) * timingScale,
    maxAttempts: p?.MaxAttempts ?? 0,
    windowMs: (p?.Window ?? 0) / MILLISECOND,
  };
}

/** Node down, drained or deleted: its replicated tasks move elsewhere (SwarmKit InvalidNode). */
export function invalidNode(node: Node | undefined): boolean {
  return node === undefined || node.Status?.State === 'down' || node.Spec.Availability === 'drain';
}

// Specs are compared often (history, dirtiness) and copied into every new task: what is derived
// from a spec object is remembered per object (store objects are replaced, never changed in place).
const templates = new WeakMap<object, { json: string; key: string; keyWithoutPlacement: string }>();
const taskKeysWithoutPlacement = new WeakMap<object, string>();

function template(service: Service): { json: string; key: string; keyWithoutPlacement: string } {
  const spec = service.Spec as object;
  let t = templates.get(spec);
  if (t === undefined) {
    const taskSpec = taskSpecFromServiceSpec(service.Spec);
    t = { json: JSON.stringify(taskSpec), key: canonicalJson(taskSpec), keyWithoutPlacement: canonicalJson({ ...taskSpec, Placement: undefined }) };
    templates.set(spec, t);
  }
  return t;
}

/** The JSON of the task spec the service's tasks are made from (TaskTemplate without Runtime). */
function templateJson(service: Service): string {
  return template(service).json;
}

export function specKey(task: Task): string {
  return cachedKey(task.Spec);
}

export function serviceSpecKey(service: Service): string {
  return template(service).key;
}

function keyWithoutPlacement(task: Task): string {
  const spec = task.Spec as object;
  let key = taskKeysWithoutPlacement.get(spec);
  if (key === undefined) {
    key = canonicalJson({ ...task.Spec, Placement: undefined });
    taskKeysWithoutPlacement.set(spec, key);
  }
  return key;
}

export function serviceConstraintsMatch(service: Service, node: Node): boolean {
  // Constraints that no longer parse are ignored, as SwarmKit does after validation.
  return nodeMatchesConstraints(tryParseConstraints(service.Spec.TaskTemplate.Placement?.Constraints) ?? [], node);
}

/**
 * True when the task does not match the service's current task spec (SwarmKit IsTaskDirty):
 * a change of Placement alone does not count while the task's node still meets the constraints.
 */
export function isTaskDirty(service: Service, task: Task, node?: Node): boolean {
  if (serviceSpecKey(service) === specKey(task)) return false;
  const placementOnly = template(service).keyWithoutPlacement === keyWithoutPlacement(task);
  if (placementOnly && node && serviceConstraintsMatch(service, node)) return false;
  return true;
}

/** Tasks in creation order (then ID), the order history is read in. */
export function byCreation(a: Task, b: Task): number {
  const ta = timestampMs(a.CreatedAt) ?? 0;
  const tb = timestampMs(b.CreatedAt) ?? 0;
  return ta - tb || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
}
