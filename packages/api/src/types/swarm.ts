// The swarm (cluster) object and the membership requests: GET /swarm, POST /swarm/init|join|
// update|unlock, GET /swarm/unlockkey. Shapes follow moby api/types/swarm/swarm.go and what a real
// daemon answered (reference/real-swarm/api-swarm.json).

import type { Driver, Labels, Meta, Nanoseconds, TLSInfo } from './common.js';
import type { NodeAvailability } from './enums.js';

export interface OrchestrationConfig {
  /** Task history kept per slot; always printed (the daemon encodes a pointer to the stored value). */
  TaskHistoryRetentionLimit: number;
}

export interface RaftConfig {
  SnapshotInterval?: number;
  /** Always printed (pointer to the stored value), 0 by default. */
  KeepOldSnapshots: number;
  LogEntriesForSlowFollowers?: number;
  ElectionTick: number;
  HeartbeatTick: number;
}

export interface DispatcherConfig {
  HeartbeatPeriod?: Nanoseconds;
}

export interface ExternalCA {
  Protocol: 'cfssl';
  URL: string;
  Options?: Record<string, string>;
  CACert: string;
}

export interface CAConfig {
  NodeCertExpiry?: Nanoseconds;
  ExternalCAs?: ExternalCA[];
  /** Accepted on update, never returned (the daemon redacts both). */
  SigningCACert?: string;
  SigningCAKey?: string;
  /** `docker swarm ca --rotate` increments it. */
  ForceRotate?: number;
}

export interface TaskDefaults {
  LogDriver?: Driver;
}

export interface EncryptionConfig {
  AutoLockManagers: boolean;
}

/** The cluster spec as GET /swarm returns it. */
export interface SwarmSpec {
  Name: string;
  Labels: Labels;
  Orchestration: OrchestrationConfig;
  Raft: RaftConfig;
  Dispatcher: DispatcherConfig;
  CAConfig: CAConfig;
  TaskDefaults: TaskDefaults;
  EncryptionConfig: EncryptionConfig;
}

/**
 * A cluster spec as clients send it (init, update): every part may be missing or zero, and the
 * daemon reads a zero as "not set" (moby convert.MergeSwarmSpecToGRPC).
 */
export interface SwarmSpecInput {
  Name?: string;
  Labels?: Labels | null;
  Orchestration?: { TaskHistoryRetentionLimit?: number | null };
  Raft?: {
    SnapshotInterval?: number;
    KeepOldSnapshots?: number | null;
    LogEntriesForSlowFollowers?: number;
    ElectionTick?: number;
    HeartbeatTick?: number;
  };
  Dispatcher?: { HeartbeatPeriod?: Nanoseconds };
  CAConfig?: {
    NodeCertExpiry?: Nanoseconds;
    ExternalCAs?: ExternalCA[] | null;
    SigningCACert?: string;
    SigningCAKey?: string;
    ForceRotate?: number;
  };
  TaskDefaults?: { LogDriver?: Driver | null };
  EncryptionConfig?: { AutoLockManagers?: boolean };
}

/** moby `swarm.ClusterInfo`: the swarm without its join tokens (also `Info.Swarm.Cluster`). */
export interface ClusterInfo extends Meta {
  ID: string;
  Spec: SwarmSpec;
  TLSInfo: TLSInfo;
  RootRotationInProgress: boolean;
  /** null when `swarm init` gave no pool; the allocator then uses 10.0.0.0/8. */
  DefaultAddrPool: string[] | null;
  SubnetSize: number;
  DataPathPort: number;
}

export interface JoinTokens {
  Worker: string;
  Manager: string;
}

/** GET /swarm. */
export interface Swarm extends ClusterInfo {
  JoinTokens: JoinTokens;
}

/** POST /swarm/init body. The CLI sends every field; an API client needs ListenAddr at least. */
export interface SwarmInitRequest {
  ListenAddr: string;
  AdvertiseAddr?: string;
  DataPathAddr?: string;
  /** 0 means 4789; otherwise 1024–49151. */
  DataPathPort?: number;
  ForceNewCluster?: boolean;
  Spec?: SwarmSpecInput;
  AutoLockManagers?: boolean;
  /** '' means active. */
  Availability?: NodeAvailability | '';
  DefaultAddrPool?: string[] | null;
  /** 0 means 24. */
  SubnetSize?: number;
}

/** POST /swarm/join body. */
export interface SwarmJoinRequest {
  ListenAddr: string;
  AdvertiseAddr?: string;
  DataPathAddr?: string;
  RemoteAddrs: string[];
  JoinToken: string;
  Availability?: NodeAvailability | '';
}

/** POST /swarm/unlock body. */
export interface SwarmUnlockRequest {
  UnlockKey: string;
}

/** GET /swarm/unlockkey: an empty key when autolock is off. */
export interface UnlockKeyResponse {
  UnlockKey: string;
}

/** Query flags of POST /swarm/update. */
export interface SwarmUpdateFlags {
  rotateWorkerToken?: boolean;
  rotateManagerToken?: boolean;
  rotateManagerUnlockKey?: boolean;
}
