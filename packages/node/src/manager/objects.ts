// The store's objects in Docker's JSON shapes (so the Engine API is a thin mapping), plus the
// fields SwarmKit keeps in the cluster and node objects that the API never shows.

import type { Service, Task } from '@swarmlab/api';
import type { StoredObject } from '../store/memory.js';

export type Role = 'manager' | 'worker';
export type Availability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';
export type Reachability = 'unknown' | 'unreachable' | 'reachable';

export interface GossipKey {
  /** base64 of 16 bytes (AES-128-GCM). */
  key: string;
  lamport: number;
}

/** Fields of the cluster object the API redacts (SwarmKit: CAKey, unlock keys, bootstrap keys). */
export interface ClusterSecrets {
  rootCAKeyPem: string;
  /** The manager unlock key (KEK), base64; absent unless autolock is on. */
  unlockKey?: string;
  /** Gossip key ring (SwarmKit NetworkBootstrapKeys, subsystem networking:gossip). */
  gossipKeys: GossipKey[];
  /** Emulated ms of the last key rotation. */
  lastKeyRotation: number;
  /** Removed nodes whose certificates every node refuses, with the certificate expiry. */
  blacklist: { nodeId: string; expiresAt: number }[];
  /** A root CA rotation under way (SwarmKit RootCA.RootRotation): the new root, its key, its cross-signature. */
  rootRotation?: { caCertPem: string; caKeyPem: string; crossSignedPem: string } | null;
}

export interface SwarmSpec {
  Name: string;
  Labels: Record<string, string>;
  Orchestration: { TaskHistoryRetentionLimit?: number };
  Raft: {
    SnapshotInterval: number;
    KeepOldSnapshots?: number;
    LogEntriesForSlowFollowers: number;
    ElectionTick: number;
    HeartbeatTick: number;
  };
  Dispatcher: { HeartbeatPeriod?: number };
  CAConfig: { NodeCertExpiry?: number; ExternalCAs?: unknown[]; ForceRotate?: number; SigningCACert?: string; SigningCAKey?: string };
  TaskDefaults: Record<string, unknown>;
  EncryptionConfig: { AutoLockManagers: boolean };
}

export interface ClusterObject extends StoredObject {
  Spec: SwarmSpec;
  TLSInfo: { TrustRoot: string; CertIssuerSubject: string; CertIssuerPublicKey: string };
  RootRotationInProgress: boolean;
  DefaultAddrPool: string[] | null;
  SubnetSize: number;
  DataPathPort: number;
  JoinTokens: { Worker: string; Manager: string };
  secrets: ClusterSecrets;
}

export interface NodeObject extends StoredObject {
  Spec: { Name?: string; Labels: Record<string, string>; Role: Role; Availability: Availability };
  Description: {
    Hostname: string;
    Platform: { Architecture: string; OS: string };
    Resources: { NanoCPUs: number; MemoryBytes: number };
    Engine: { EngineVersion: string; Labels?: Record<string, string>; Plugins: { Type: string; Name: string }[] };
    TLSInfo: { TrustRoot: string; CertIssuerSubject: string; CertIssuerPublicKey: string };
  };
  Status: { State: NodeState; Message?: string; Addr: string };
  /** Present on the stored object only for raft members; recomputed when answering. */
  ManagerStatus?: { Leader?: boolean; Reachability: Reachability; Addr: string };
  /** The role the node's certificate carries now (SwarmKit Node.Role vs Spec.DesiredRole). */
  role: Role;
  /** Serial of the node's current certificate, and its NotAfter (for the removal blacklist). */
  certExpiresAt?: number;
}

/** Services and tasks as the store keeps them: the API's shapes with the store's bookkeeping. */
export type ServiceObject = Service & StoredObject;
export type TaskObject = Task & StoredObject;

export const ENGINE_VERSION = '28.2.2-swarmlab';

/** The plugins a real engine reports (real-swarm/api-nodes.json). */
export const ENGINE_PLUGINS: { Type: string; Name: string }[] = [
  ...['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'logentries', 'splunk', 'syslog'].map((Name) => ({ Type: 'Log', Name })),
  ...['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'].map((Name) => ({ Type: 'Network', Name })),
  { Type: 'Volume', Name: 'local' },
];

/** Strips what the API must never show (SwarmKit's redactClusters). */
export function publicCluster(c: ClusterObject): Omit<ClusterObject, 'secrets'> {
  const { secrets: _secrets, ...rest } = c;
  return rest;
}

export function publicNode(n: NodeObject): Omit<NodeObject, 'role' | 'certExpiresAt'> {
  // `attachments` are the node's own network endpoints (SwarmKit Node.Attachments), never shown.
  const { role: _role, certExpiresAt: _exp, attachments: _attachments, ...rest } = n;
  return rest;
}
