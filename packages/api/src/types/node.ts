// GET /nodes, GET /nodes/{id}, POST /nodes/{id}/update (moby api/types/swarm/node.go;
// reference/real-swarm/api-nodes.json, node-inspect-self.json).

import type { GenericResource, Labels, Meta, Platform, TLSInfo } from './common.js';
import type { NodeAvailability, NodeRole, NodeState, Reachability } from './enums.js';

/** The part of a node a user changes (`docker node update|promote|demote`). */
export interface NodeSpec {
  Name?: string;
  Labels: Labels;
  Role: NodeRole;
  Availability: NodeAvailability;
}

/** A node spec as a client sends it: the daemon matches role and availability case-insensitively. */
export interface NodeSpecInput {
  Name?: string;
  Labels?: Labels | null;
  Role?: string;
  Availability?: string;
}

export interface PluginDescription {
  Type: string;
  Name: string;
}

export interface EngineDescription {
  EngineVersion: string;
  Labels?: Labels;
  Plugins: PluginDescription[];
}

export interface NodeResources {
  NanoCPUs: number;
  MemoryBytes: number;
  GenericResources?: GenericResource[];
}

/** What the node reports about itself; the CLI's HOSTNAME and ENGINE VERSION columns come from here. */
export interface NodeDescription {
  Hostname: string;
  Platform: Required<Platform>;
  Resources: NodeResources;
  Engine: EngineDescription;
  TLSInfo: TLSInfo;
}

export interface NodeStatus {
  State: NodeState;
  /** e.g. "heartbeat failure"; omitted when empty. */
  Message?: string;
  /** The node's IP as the managers see it. */
  Addr: string;
}

/** Present only for current Raft members; `Leader` is omitted unless true. */
export interface ManagerStatus {
  Leader?: boolean;
  Reachability: Reachability;
  /** host:2377 */
  Addr: string;
}

export interface Node extends Meta {
  ID: string;
  Spec: NodeSpec;
  Description: NodeDescription;
  Status: NodeStatus;
  ManagerStatus?: ManagerStatus;
}
