// Tasks (moby api/types/swarm/task.go; reference/real-swarm/api-tasks.json, task-inspect-*.json).

import type { GenericResource, Labels, Meta, ObjectVersion, PortConfig, Timestamp } from './common.js';
import type { TaskState } from './enums.js';
import type { NetworkAttachment } from './network.js';
import type { TaskSpec } from './task-spec.js';

/** Present once an agent has created the container; absent on pending tasks. */
export interface ContainerStatus {
  ContainerID: string;
  PID: number;
  ExitCode: number;
}

export interface TaskStatus {
  /** The CLI prints "292 years ago" when it is missing. */
  Timestamp: Timestamp;
  State: TaskState;
  /** e.g. "started", "pending task scheduling". */
  Message?: string;
  /** e.g. "no suitable node (1 node not available for new tasks)", "task: non-zero exit (1)". */
  Err?: string;
  ContainerStatus?: ContainerStatus;
  /** Host-mode published ports; `{}` when there are none. */
  PortStatus: { Ports?: PortConfig[] };
}

export interface VolumeAttachment {
  ID: string;
  Source: string;
  Target: string;
}

export interface Task extends Meta {
  ID: string;
  Name?: string;
  /** Task labels are never set by swarm; printed as `{}`. */
  Labels: Labels;
  /** A copy of the service's TaskTemplate (without `Runtime`). Its absence breaks `service ps`. */
  Spec: TaskSpec;
  ServiceID: string;
  /** Replicated tasks only (from 1); global tasks leave it out and the CLI names them by node ID. */
  Slot?: number;
  /** Absent until the scheduler assigns the task. */
  NodeID?: string;
  Status: TaskStatus;
  DesiredState: TaskState;
  NetworksAttachments?: NetworkAttachment[];
  GenericResources?: GenericResource[];
  JobIteration?: ObjectVersion;
  /** Cluster volumes (API ≥ 1.42 prints `null` when there are none). */
  Volumes?: VolumeAttachment[] | null;
}
