// Services (moby api/types/swarm/service.go; reference/real-swarm/api-services.json and
// service-inspect-*.json).

import type { Labels, Meta, Nanoseconds, ObjectVersion, PortConfig, Timestamp } from './common.js';
import type { ResolutionMode, UpdateFailureAction, UpdateOrder, UpdateState } from './enums.js';
import type { NetworkAttachmentConfig, TaskSpec, TaskSpecInput } from './task-spec.js';

/** `Replicas` is required: `service ls` panics without it when ServiceStatus is missing too. */
export interface ReplicatedService {
  Replicas: number;
}

/** `TotalCompletions` is dereferenced by `service ls` for jobs. */
export interface ReplicatedJob {
  MaxConcurrent: number;
  TotalCompletions: number;
}

/** Exactly one member is set. */
export interface ServiceMode {
  Replicated?: ReplicatedService;
  Global?: Record<string, never>;
  ReplicatedJob?: ReplicatedJob;
  GlobalJob?: Record<string, never>;
}

/** A mode as clients send it: `{"Replicated":{}}` means one replica, a job's counts default too. */
export interface ServiceModeInput {
  Replicated?: { Replicas?: number };
  Global?: Record<string, never>;
  ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
  GlobalJob?: Record<string, never>;
}

/** Update and rollback settings share this shape. */
export interface UpdateConfig {
  /** 0 means all at once. */
  Parallelism: number;
  Delay?: Nanoseconds;
  FailureAction?: UpdateFailureAction;
  Monitor?: Nanoseconds;
  MaxFailureRatio: number;
  Order: UpdateOrder;
}

export interface EndpointSpec {
  Mode?: ResolutionMode;
  Ports?: PortConfig[];
}

export interface EndpointVirtualIP {
  NetworkID: string;
  /** CIDR form, "10.0.0.3/24". */
  Addr: string;
}

/** What the allocator made of the EndpointSpec; only ingress Ports show in `service ls`. */
export interface Endpoint {
  Spec: EndpointSpec;
  Ports?: PortConfig[];
  VirtualIPs?: EndpointVirtualIP[];
}

export interface ServiceSpec {
  Name: string;
  Labels: Labels;
  TaskTemplate: TaskSpec;
  Mode: ServiceMode;
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  /** Deprecated service-level networks; the CLI uses TaskTemplate.Networks. */
  Networks?: NetworkAttachmentConfig[];
  EndpointSpec?: EndpointSpec;
}

/**
 * A spec as clients send it to create or update a service: the daemon names nameless services,
 * defaults the mode to one replica and reads empty enum strings as their defaults.
 */
export interface ServiceSpecInput {
  Name?: string;
  Labels?: Labels | null;
  TaskTemplate: TaskSpecInput;
  Mode?: ServiceModeInput;
  UpdateConfig?: Partial<UpdateConfig> | null;
  RollbackConfig?: Partial<UpdateConfig> | null;
  Networks?: NetworkAttachmentConfig[] | null;
  EndpointSpec?: EndpointSpec | null;
}

/** Reset on every update; `completed` left over makes the CLI's progress return at once. */
export interface UpdateStatus {
  State?: UpdateState;
  StartedAt?: Timestamp;
  CompletedAt?: Timestamp;
  Message?: string;
}

/** Sent only with `GET /services?status=true`. */
export interface ServiceStatus {
  RunningTasks: number;
  DesiredTasks: number;
  CompletedTasks: number;
}

export interface JobStatus {
  JobIteration: ObjectVersion;
  LastExecution?: Timestamp;
}

export interface Service extends Meta {
  ID: string;
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  Endpoint: Endpoint;
  UpdateStatus?: UpdateStatus;
  ServiceStatus?: ServiceStatus;
  JobStatus?: JobStatus;
}

/** `POST /services/create` → 201. */
export interface ServiceCreateResponse {
  ID: string;
  Warnings?: string[] | null;
}

/** `POST /services/{id}/update` → 200 `{"Warnings":null}`. */
export interface ServiceUpdateResponse {
  Warnings: string[] | null;
}
