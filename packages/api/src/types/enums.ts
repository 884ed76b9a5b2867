// String enums of the Engine API swarm objects, as the daemon prints them (lower case), each kept
// as a const tuple so servers can validate input and order states without repeating the lists.

/**
 * Task states in SwarmKit's order (api/types.proto `TaskState`, values spaced 64 apart; PREPARING
 * comes before READY on the wire). States only move forward, so the index is a rank.
 * The Engine API string list also has `allocated`, a removed state no daemon produces any more.
 */
export const TASK_STATES = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Node status (SwarmKit `NodeStatus.State`). */
export const NODE_STATES = ['unknown', 'down', 'ready', 'disconnected'] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** Manager reachability (SwarmKit `RaftMemberStatus.Reachability`). */
export const REACHABILITIES = ['unknown', 'unreachable', 'reachable'] as const;
export type Reachability = (typeof REACHABILITIES)[number];

export const NODE_AVAILABILITIES = ['active', 'pause', 'drain'] as const;
export type NodeAvailability = (typeof NODE_AVAILABILITIES)[number];

export const NODE_ROLES = ['worker', 'manager'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** `Info.Swarm.LocalNodeState`; the empty string is Go's zero value, never sent by a running daemon. */
export const LOCAL_NODE_STATES = ['', 'inactive', 'pending', 'active', 'error', 'locked'] as const;
export type LocalNodeState = (typeof LOCAL_NODE_STATES)[number];

export const UPDATE_STATES = [
  'updating',
  'paused',
  'completed',
  'rollback_started',
  'rollback_paused',
  'rollback_completed',
] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

export const RESTART_CONDITIONS = ['none', 'on-failure', 'any'] as const;
export type RestartCondition = (typeof RESTART_CONDITIONS)[number];

export const UPDATE_FAILURE_ACTIONS = ['pause', 'continue', 'rollback'] as const;
export type UpdateFailureAction = (typeof UPDATE_FAILURE_ACTIONS)[number];

export const UPDATE_ORDERS = ['stop-first', 'start-first'] as const;
export type UpdateOrder = (typeof UPDATE_ORDERS)[number];

export const RESOLUTION_MODES = ['vip', 'dnsrr'] as const;
export type ResolutionMode = (typeof RESOLUTION_MODES)[number];

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export const PUBLISH_MODES = ['ingress', 'host'] as const;
export type PublishMode = (typeof PUBLISH_MODES)[number];

/** `TaskSpec.Runtime`; the daemon reports `container` for every container service. */
export type RuntimeType = 'container' | 'plugin' | 'attachment';

/** Task states that end a task's life (no transition leaves them). */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
]);

/** Rank of a task state in SwarmKit's order, for "is this state at or past that one" tests. */
export function taskStateRank(state: TaskState): number {
  return TASK_STATES.indexOf(state);
}
