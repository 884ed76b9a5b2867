// GET /version and GET /info (moby api/types/types.go `Version`, api/types/system `Info`,
// api/types/swarm `Info`). Only the swarm section is modelled field by field for behaviour; the
// rest mirrors what a real daemon prints so an emulator can answer `docker info` plausibly.

import type { GenericResource } from './common.js';
import type { LocalNodeState } from './enums.js';
import type { ClusterInfo } from './swarm.js';

export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

/** GET /version. */
export interface SystemVersion {
  Platform: { Name: string };
  Components?: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** A known manager of the swarm, as the local node sees it. */
export interface Peer {
  NodeID: string;
  Addr: string;
}

/**
 * `Info.Swarm`. `NodeID` is empty unless the node is in a swarm. `Cluster` is present only on an
 * active manager; `docker info` prints its block only if ControlAvailable and Error is empty.
 */
export interface SwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: LocalNodeState;
  /** `stack deploy` refuses to run unless this is true. */
  ControlAvailable: boolean;
  Error: string;
  /** null outside a swarm (Go nil slice). */
  RemoteManagers: Peer[] | null;
  Nodes?: number;
  Managers?: number;
  Cluster?: ClusterInfo;
  Warnings?: string[];
}

export interface Commit {
  ID: string;
  /** Deprecated in API 1.48; 1.47 daemons still send it. */
  Expected?: string;
}

export interface PluginsInfo {
  Volume: string[] | null;
  Network: string[] | null;
  Authorization: string[] | null;
  Log: string[] | null;
}

export interface IndexInfo {
  Name: string;
  Mirrors: string[];
  Secure: boolean;
  Official: boolean;
}

export interface RegistryServiceConfig {
  AllowNondistributableArtifactsCIDRs?: string[];
  AllowNondistributableArtifactsHostnames?: string[];
  InsecureRegistryCIDRs: string[];
  IndexConfigs: Record<string, IndexInfo>;
  Mirrors: string[];
}

export interface RuntimeInfo {
  path: string;
  runtimeArgs?: string[];
}

/** GET /info. Every field is optional to the CLI (`{}` prints zeros), but a daemon sends them all. */
export interface Info {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: Array<[string, string]> | null;
  Plugins: PluginsInfo;
  MemoryLimit: boolean;
  SwapLimit: boolean;
  /** Removed from newer daemons; 20.10 still sends them. */
  KernelMemory?: boolean;
  KernelMemoryTCP?: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  IPv4Forwarding: boolean;
  BridgeNfIptables: boolean;
  BridgeNfIp6tables: boolean;
  Debug: boolean;
  NFd: number;
  OomKillDisable: boolean;
  NGoroutines: number;
  SystemTime: string;
  LoggingDriver: string;
  CgroupDriver: string;
  CgroupVersion?: string;
  NEventsListener: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  OSType: string;
  Architecture: string;
  IndexServerAddress: string;
  RegistryConfig: RegistryServiceConfig | null;
  NCPU: number;
  MemTotal: number;
  GenericResources: GenericResource[] | null;
  DockerRootDir: string;
  HttpProxy: string;
  HttpsProxy: string;
  NoProxy: string;
  Name: string;
  Labels: string[];
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, RuntimeInfo>;
  DefaultRuntime: string;
  Swarm: SwarmInfo;
  LiveRestoreEnabled: boolean;
  Isolation: string;
  InitBinary: string;
  ContainerdCommit: Commit;
  RuncCommit: Commit;
  InitCommit: Commit;
  SecurityOptions: string[];
  CDISpecDirs?: string[];
  Warnings: string[] | null;
}
