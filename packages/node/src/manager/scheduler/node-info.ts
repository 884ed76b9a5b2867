// What the scheduler knows about a node (SwarmKit manager/scheduler/nodeinfo.go): the tasks it
// runs, how many of them are active (desired state COMPLETE or earlier: meant to run), the
// resources left and the host ports taken, and recent task failures per service version.

import { taskStateRank, type Node, type Task } from '@swarmlab/api';

/** Failures counted when ranking nodes: this many within MONITOR_FAILURES_MS push a node back. */
export const MAX_FAILURES = 5;
export const MONITOR_FAILURES_MS = 5 * 60_000;

const RUNNING = taskStateRank('running');
const COMPLETE = taskStateRank('complete');
const ASSIGNED = taskStateRank('assigned');

export interface NodeInfo {
  readonly id: string;
  readonly node: Node;
  readonly tasks: Map<string, Task>;
  /** Tasks with desired state COMPLETE or earlier. */
  activeTasksCount: number;
  readonly activeByService: Map<string, number>;
  availableNanoCPUs: number;
  availableMemoryBytes: number;
  /** "protocol/port" of host-mode published ports in use. */
  readonly usedHostPorts: Set<string>;
  /** Emulated ms of failed or rejected tasks, by service version (see failureKey). */
  readonly recentFailures: Map<string, number[]>;
}

/** Meant to run, or (a job's task) to run to completion: what spreading counts (SwarmKit nodeinfo). */
export function isActive(task: Task): boolean {
  return taskStateRank(task.DesiredState) <= COMPLETE;
}

/** Tasks that hold a node's resources: assigned and not yet past running. */
export function holdsResources(task: Task): boolean {
  const rank = taskStateRank(task.Status?.State);
  return task.NodeID !== undefined && task.NodeID !== '' && rank >= ASSIGNED && rank <= RUNNING;
}

export function taskReservations(task: Task): { nanoCPUs: number; memoryBytes: number } {
  const r = task.Spec?.Resources?.Reservations;
  return { nanoCPUs: r?.NanoCPUs ?? 0, memoryBytes: r?.MemoryBytes ?? 0 };
}

export function newNodeInfo(node: Node): NodeInfo {
  const resources = node.Description?.Resources;
  return {
    id: node.ID,
    node,
    tasks: new Map(),
    activeTasksCount: 0,
    activeByService: new Map(),
    availableNanoCPUs: resources?.NanoCPUs ?? 0,
    availableMemoryBytes: resources?.MemoryBytes ?? 0,
    usedHostPorts: new Set(),
    recentFailures: new Map(),
  };
}

function bumpActive(info: NodeInfo, serviceId: string, delta: number): void {
  info.activeTasksCount += delta;
  info.activeByService.set(serviceId, (info.activeByService.get(serviceId) ?? 0) + delta);
}

/** Adds or updates a task on the node (SwarmKit NodeInfo.addTask). */
export function addTask(info: NodeInfo, task: Task, hostPorts: readonly string[]): void {
  const old = info.tasks.get(task.ID);
  if (old) {
    info.tasks.set(task.ID, task);
    if (isActive(task) && !isActive(old)) bumpActive(info, task.ServiceID, 1);
    else if (!isActive(task) && isActive(old)) bumpActive(info, task.ServiceID, -1);
    return;
  }
  info.tasks.set(task.ID, task);
  const r = taskReservations(task);
  info.availableNanoCPUs -= r.nanoCPUs;
  info.availableMemoryBytes -= r.memoryBytes;
  for (const port of hostPorts) info.usedHostPorts.add(port);
  if (isActive(task)) bumpActive(info, task.ServiceID, 1);
}

export function activeTasksOfService(info: NodeInfo, serviceId: string): number {
  return info.activeByService.get(serviceId) ?? 0;
}

export function recordFailure(info: NodeInfo, key: string, at: number): void {
  const list = info.recentFailures.get(key);
  if (list) list.push(at);
  else info.recentFailures.set(key, [at]);
}

export function countRecentFailures(info: NodeInfo, key: string, now: number): number {
  const list = info.recentFailures.get(key);
  if (!list) return 0;
  return list.filter((at) => now - at <= MONITOR_FAILURES_MS).length;
}
