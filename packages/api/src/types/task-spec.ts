// TaskSpec and ContainerSpec: the template a service stamps its tasks from (moby
// api/types/swarm/task.go, container.go, api/types/mount). A task carries a copy in `Task.Spec`.

import type { Driver, Labels, Limit, Nanoseconds, Platform, Resources } from './common.js';
import type { RestartCondition, RuntimeType } from './enums.js';

export interface SecretReferenceFileTarget {
  Name: string;
  UID: string;
  GID: string;
  /** File mode as a decimal number (0444 is 292). */
  Mode: number;
}

export interface SecretReference {
  File?: SecretReferenceFileTarget;
  SecretID: string;
  SecretName: string;
}

export interface ConfigReference {
  File?: SecretReferenceFileTarget;
  Runtime?: Record<string, never>;
  ConfigID: string;
  ConfigName: string;
}

export interface DNSConfig {
  Nameservers?: string[];
  Search?: string[];
  Options?: string[];
}

export interface HealthConfig {
  Test?: string[];
  Interval?: Nanoseconds;
  Timeout?: Nanoseconds;
  StartPeriod?: Nanoseconds;
  StartInterval?: Nanoseconds;
  Retries?: number;
}

export interface Mount {
  Type?: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: Record<string, unknown>;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Labels;
    Subpath?: string;
    DriverConfig?: Driver;
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] };
}

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

export interface Privileges {
  CredentialSpec?: Record<string, unknown> | null;
  SELinuxContext?: Record<string, unknown> | null;
  Seccomp?: Record<string, unknown>;
  AppArmor?: Record<string, unknown>;
  NoNewPrivileges?: boolean;
}

/** moby `swarm.ContainerSpec`, fields in Go's order. */
export interface ContainerSpec {
  Image: string;
  Labels?: Labels;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Privileges?: Privileges;
  Init?: boolean | null;
  StopSignal?: string;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: Mount[];
  StopGracePeriod?: Nanoseconds;
  Healthcheck?: HealthConfig;
  Hosts?: string[];
  DNSConfig?: DNSConfig;
  Secrets?: SecretReference[];
  Configs?: ConfigReference[];
  /** The daemon reports `default` when none was asked for. */
  Isolation?: string;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: Ulimit[];
  OomScoreAdj?: number;
}

export interface ResourceRequirements {
  Limits?: Limit;
  Reservations?: Resources;
}

export interface RestartPolicy {
  Condition?: RestartCondition;
  Delay?: Nanoseconds;
  MaxAttempts?: number;
  Window?: Nanoseconds;
}

export interface PlacementPreference {
  Spread?: { SpreadDescriptor: string };
}

export interface Placement {
  Constraints?: string[];
  Preferences?: PlacementPreference[];
  MaxReplicas?: number;
  Platforms?: Platform[];
}

/** A network a task attaches to; `Target` is an ID (the server resolves names sent by stack deploy). */
export interface NetworkAttachmentConfig {
  Target: string;
  Aliases?: string[];
  DriverOpts?: Record<string, string>;
}

/**
 * moby `swarm.TaskSpec`. `ContainerSpec` is required: the CLI panics on `service update|logs` and
 * fails `service ps` when it is missing. `Runtime` is set on service specs only.
 */
export interface TaskSpec {
  ContainerSpec: ContainerSpec;
  Resources?: ResourceRequirements;
  RestartPolicy?: RestartPolicy;
  Placement?: Placement;
  Networks?: NetworkAttachmentConfig[];
  LogDriver?: Driver;
  /** A counter: changing it forces a rolling update. Always printed. */
  ForceUpdate: number;
  Runtime?: RuntimeType;
  /**
   * A network attachment task's only content besides Networks (moby NetworkAttachmentSpec): the
   * container an engine runs outside any service on an attachable network. No ContainerSpec then.
   */
  NetworkAttachmentSpec?: { ContainerID: string };
}

/** A task standing for a container attached to a swarm network outside any service (SwarmKit's network attachment task). */
export function isNetworkAttachmentTask(t: { ServiceID?: string; Spec?: { NetworkAttachmentSpec?: unknown } }): boolean {
  return !t.ServiceID && t.Spec?.NetworkAttachmentSpec !== undefined;
}

/** A TaskSpec as clients send it: ForceUpdate may be left out. */
export type TaskSpecInput = Omit<TaskSpec, 'ForceUpdate'> & { ForceUpdate?: number };
