// Networks. Two shapes exist: the Engine's network inspect object (GET /networks, lower-case
// `Id`; moby api/types/network `Inspect`) and SwarmKit's network object embedded in a task's
// NetworksAttachments (moby api/types/swarm/network.go). reference/real-swarm/network-inspect-*.json,
// api-networks.json, api-tasks.json.

import type { Driver, Labels, Meta, Timestamp } from './common.js';

export interface IPAMConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface IPAM {
  Driver: string;
  Options: Record<string, string> | null;
  Config: IPAMConfig[] | null;
}

/** A container attached to the network on the answering node. */
export interface EndpointResource {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** A node taking part in a swarm-scope network (gossip peer). */
export interface PeerInfo {
  Name: string;
  IP: string;
}

export interface NetworkServiceTask {
  Name: string;
  EndpointID: string;
  EndpointIP: string;
  Info: Record<string, string>;
}

/** `?verbose=true` only: per-service load-balancing view of a swarm network. */
export interface NetworkServiceInfo {
  VIP: string;
  Ports: string[];
  LocalLBIndex: number;
  Tasks: NetworkServiceTask[];
}

/** GET /networks, GET /networks/{id}. */
export interface Network {
  Name: string;
  /** 25 base36 characters for swarm networks, 64 hex for local ones. */
  Id: string;
  Created: Timestamp;
  Scope: 'local' | 'swarm' | 'global';
  Driver: string;
  /** Added in API 1.47 (a 20.10 daemon does not send it). */
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, EndpointResource> | null;
  Options: Record<string, string> | null;
  Labels: Labels | null;
  Peers?: PeerInfo[];
  Services?: Record<string, NetworkServiceInfo>;
}

/** POST /networks/create body (the CLI adds `CheckDuplicate: true` below API 1.44). */
export interface NetworkCreateRequest {
  Name: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network: string } | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: IPAMConfig[] | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Labels | null;
}

/** POST /networks/create → 201. */
export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

/** SwarmKit's IPAM options (inside a task's network attachment). */
export interface SwarmIPAMOptions {
  Driver: Driver;
  Configs?: Array<{ Subnet?: string; Range?: string; Gateway?: string }>;
}

/** SwarmKit's network object as a task's attachment shows it. */
export interface SwarmNetwork extends Meta {
  ID: string;
  Spec: {
    Name: string;
    Labels: Labels;
    DriverConfiguration?: Driver;
    IPv6Enabled?: boolean;
    Internal?: boolean;
    Attachable?: boolean;
    Ingress?: boolean;
    IPAMOptions?: SwarmIPAMOptions;
    ConfigFrom?: { Network: string };
    Scope?: string;
  };
  DriverState: Driver;
  IPAMOptions?: SwarmIPAMOptions;
}

/** One entry of `Task.NetworksAttachments`. */
export interface NetworkAttachment {
  Network: SwarmNetwork;
  /** CIDR form, "10.0.0.7/24". */
  Addresses: string[];
}
