// The scheduler as a pure function (SwarmKit manager/scheduler/scheduler.go): it places PENDING
// tasks on nodes through the filter pipeline, spreading each service over the nodes (fewest tasks
// of the service first, then fewest tasks overall), and explains the tasks it cannot place with
// Docker's "no suitable node (…)" text.

import { taskStateRank, type Node, type Service, type Task } from '@swarmlab/api';
import { buildTree, type NodeLess } from './decision-tree.js';
import {
  activeTasksOfService,
  addTask,
  countRecentFailures,
  holdsResources,
  MAX_FAILURES,
  newNodeInfo,
  recordFailure,
  type NodeInfo,
} from './node-info.js';
import { Pipeline } from './pipeline.js';
import { placeOnSubtree } from './placement.js';
import { cachedKey } from './spec-key.js';
import { timestampMs } from './timestamp.js';

export {
  ConstraintError,
  nodeMatchesConstraints,
  parseConstraints,
  tryParseConstraints,
  type Constraint,
  type ConstraintOperator,
} from './constraint.js';
export { cachedKey, canonicalJson } from './spec-key.js';
export { timestampMs } from './timestamp.js';

/** Status.Message of a task the scheduler placed. */
export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
/** Status.Message of a task that came with its node (global services) once the node is confirmed. */
export const CONFIRMED_MESSAGE = 'scheduler confirmed task can run on preassigned node';

export interface ScheduleResult {
  /** task ID → node ID: set NodeID, Status.State `assigned` and the message below. */
  assign: Map<string, string>;
  /**
   * task ID → Status.Err for tasks left PENDING: "no suitable node (…)" for tasks without a node;
   * for tasks that came with their node (global), SwarmKit writes the bare explanation.
   */
  pending: Map<string, string>;
  /** Tasks in `assign` that already had their node: their message is CONFIRMED_MESSAGE, else ASSIGNED_MESSAGE. */
  confirmed: Set<string>;
}

export interface ScheduleInput {
  tasks: Task[];
  nodes: Node[];
  services: Service[];
  /**
   * Emulated ms. When given, a node where a service version failed MAX_FAILURES times within
   * the last 5 minutes (failed/rejected tasks by Status.Timestamp) is ranked behind the others.
   */
  now?: number;
}

const PENDING = 'pending';
const COMPLETE_RANK = taskStateRank('complete');


/** Host-mode published ports of a service, "protocol/port", which no two tasks on a node may share. */
export function hostPortsOf(service: Service | undefined): string[] {
  const ports = service?.Endpoint?.Ports ?? service?.Spec.EndpointSpec?.Ports ?? [];
  return ports.filter((p) => p.PublishMode === 'host' && (p.PublishedPort ?? 0) !== 0).map((p) => `${p.Protocol ?? 'tcp'}/${p.PublishedPort}`);
}

function failureKey(task: Task): string {
  return `${task.ServiceID}\u0000${cachedKey(task.Spec)}`;
}

function byId<T extends { ID: string }>(a: T, b: T): number {
  return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
}

function bySlotThenId(a: Task, b: Task): number {
  return (a.Slot ?? 0) - (b.Slot ?? 0) || byId(a, b);
}

/** Tasks the scheduler looks at: PENDING and still meant to run (desired COMPLETE or earlier). */
function wantsPlacement(task: Task): boolean {
  return task.Status?.State === PENDING && taskStateRank(task.DesiredState) <= COMPLETE_RANK;
}

function buildNodeInfos(input: ScheduleInput, servicesById: Map<string, Service>): Map<string, NodeInfo> {
  const infos = new Map<string, NodeInfo>();
  for (const node of [...input.nodes].sort(byId)) infos.set(node.ID, newNodeInfo(node));
  for (const task of input.tasks) {
    const info = task.NodeID ? infos.get(task.NodeID) : undefined;
    if (!info) continue;
    if (holdsResources(task)) addTask(info, task, hostPortsOf(servicesById.get(task.ServiceID)));
    // Failures of tasks the scheduler placed itself (not global ones) weigh against the node.
    const state = task.Status?.State;
    if (input.now !== undefined && (state === 'failed' || state === 'rejected') && !servicesById.get(task.ServiceID)?.Spec.Mode.Global) {
      const at = timestampMs(task.Status?.Timestamp);
      if (at !== undefined) recordFailure(info, failureKey(task), at);
    }
  }
  return infos;
}

function nodeLessFor(task: Task, now: number | undefined): NodeLess {
  const key = failureKey(task);
  return (a, b) => {
    if (now !== undefined) {
      const failuresA = countRecentFailures(a, key, now);
      const failuresB = countRecentFailures(b, key, now);
      if (failuresA >= MAX_FAILURES || failuresB >= MAX_FAILURES) {
        if (failuresA > failuresB) return false;
        if (failuresB > failuresA) return true;
      }
    }
    const serviceA = activeTasksOfService(a, task.ServiceID);
    const serviceB = activeTasksOfService(b, task.ServiceID);
    if (serviceA !== serviceB) return serviceA < serviceB;
    return a.activeTasksCount < b.activeTasksCount;
  };
}

/** Groups tasks of one service with one spec, which the scheduler places together. */
function taskGroups(tasks: Task[]): Task[][] {
  const groups = new Map<string, Task[]>();
  for (const task of [...tasks].sort(bySlotThenId)) {
    const key = `${task.ServiceID}\u0000${cachedKey(task.Spec)}`;
    const group = groups.get(key);
    if (group) group.push(task);
    else groups.set(key, [task]);
  }
  return [...groups.values()].sort((a, b) => (a[0].ServiceID < b[0].ServiceID ? -1 : a[0].ServiceID > b[0].ServiceID ? 1 : bySlotThenId(a[0], b[0])));
}

export function scheduleTasks(input: ScheduleInput): ScheduleResult {
  const result: ScheduleResult = { assign: new Map(), pending: new Map(), confirmed: new Set() };
  const servicesById = new Map(input.services.map((s) => [s.ID, s]));
  const infos = buildNodeInfos(input, servicesById);
  const sortedInfos = [...infos.values()];
  const pipeline = new Pipeline();

  // Tasks that came with a node (global services) go first: they only need their node confirmed.
  const preassigned = input.tasks.filter((t) => wantsPlacement(t) && t.NodeID).sort(byId);
  for (const task of preassigned) {
    const info = infos.get(task.NodeID as string);
    if (!info) continue; // the node is gone; the orchestrator deals with the task
    const hostPorts = hostPortsOf(servicesById.get(task.ServiceID));
    pipeline.setTask({ task, hostPorts });
    if (pipeline.process(info)) {
      result.assign.set(task.ID, info.id);
      result.confirmed.add(task.ID);
      addTask(info, { ...task, Status: { ...task.Status, State: 'assigned' } }, hostPorts);
    } else {
      result.pending.set(task.ID, pipeline.explain());
    }
  }

  for (const group of taskGroups(input.tasks.filter((t) => wantsPlacement(t) && !t.NodeID))) {
    const first = group[0];
    const service = servicesById.get(first.ServiceID);
    const hostPorts = hostPortsOf(service);
    pipeline.setTask({ task: first, hostPorts });
    const less = nodeLessFor(first, input.now);
    const meets = (n: NodeInfo) => pipeline.process(n);
    const tree = buildTree(sortedInfos, first.ServiceID, first.Spec?.Placement?.Preferences ?? [], group.length, meets, less);
    const run = { pipeline, less, remaining: [...group], hostPorts, decisions: result.assign };
    placeOnSubtree(run, group.length, tree);
    if (run.remaining.length === 0) continue;
    // A task whose service is gone is dropped, not explained.
    if (!service) continue;
    const explanation = pipeline.explain();
    const message = explanation ? `no suitable node (${explanation})` : 'no suitable node';
    for (const task of run.remaining) result.pending.set(task.ID, message);
  }
  return result;
}
