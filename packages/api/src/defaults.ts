// The values a daemon fills in for what a client leaves out, as pure functions:
// * the cluster spec at `swarm init` (SwarmKit's defaultClusterObject, merged with the request by
//   moby convert.MergeSwarmSpecToGRPC) and at `swarm update` (merged into an empty spec);
// * the service spec as `GET /services/{id}?insertDefaults=true` shows it (SwarmKit
//   api/defaults/service.go InterpolateService).
// Checked against reference/real-swarm/api-swarm.json and service-inspect-*.json.

import { apiError, invalidExternalCAProtocol } from './errors.js';
import {
  CONTAINER_SPEC_FIELDS,
  inGoFieldOrder,
  RESTART_POLICY_FIELDS,
  SERVICE_SPEC_FIELDS,
  TASK_SPEC_FIELDS,
  UPDATE_CONFIG_FIELDS,
} from './field-order.js';
import { HOUR, SECOND } from './time.js';
import type { ServiceSpec, UpdateConfig } from './types/service.js';
import type { CAConfig, ExternalCA, SwarmSpec, SwarmSpecInput } from './types/swarm.js';
import type { ContainerSpec, RestartPolicy, TaskSpec } from './types/task-spec.js';

export const DEFAULT_SWARM_NAME = 'default';
export const DEFAULT_TASK_HISTORY_RETENTION_LIMIT = 5;
export const DEFAULT_SNAPSHOT_INTERVAL = 10_000;
export const DEFAULT_KEEP_OLD_SNAPSHOTS = 0;
export const DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 500;
export const DEFAULT_ELECTION_TICK = 10;
export const DEFAULT_HEARTBEAT_TICK = 1;
export const DEFAULT_HEARTBEAT_PERIOD = 5 * SECOND;
/** 90 days. */
export const DEFAULT_NODE_CERT_EXPIRY = 2160 * HOUR;

/** The listen address the CLI sends by default. */
export const DEFAULT_LISTEN_ADDR = '0.0.0.0:2377';
/**
 * The pool the allocator uses when `swarm init` names none. The swarm object then reports
 * `DefaultAddrPool: null` (api-swarm.json), not this list.
 */
export const DEFAULT_ADDR_POOL: readonly string[] = Object.freeze(['10.0.0.0/8']);
export const DEFAULT_SUBNET_SIZE = 24;
/** VXLAN data path port; `DataPathPort: 0` in a request means this. */
export const DEFAULT_DATA_PATH_PORT = 4789;

export const DEFAULT_STOP_GRACE_PERIOD = 10 * SECOND;
export const DEFAULT_RESTART_DELAY = 5 * SECOND;
export const DEFAULT_UPDATE_MONITOR = 5 * SECOND;

/** The cluster spec SwarmKit creates a new swarm with (SK:manager/manager.go defaultClusterObject). */
export function defaultSwarmSpec(): SwarmSpec {
  return {
    Name: DEFAULT_SWARM_NAME,
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: DEFAULT_TASK_HISTORY_RETENTION_LIMIT },
    Raft: {
      SnapshotInterval: DEFAULT_SNAPSHOT_INTERVAL,
      KeepOldSnapshots: DEFAULT_KEEP_OLD_SNAPSHOTS,
      LogEntriesForSlowFollowers: DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS,
      ElectionTick: DEFAULT_ELECTION_TICK,
      HeartbeatTick: DEFAULT_HEARTBEAT_TICK,
    },
    Dispatcher: { HeartbeatPeriod: DEFAULT_HEARTBEAT_PERIOD },
    CAConfig: { NodeCertExpiry: DEFAULT_NODE_CERT_EXPIRY },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
}

/** An all-zero cluster spec: what `swarm update` merges the client's spec into. */
function zeroSwarmSpec(): SwarmSpec {
  return {
    Name: '',
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 0 },
    Raft: { KeepOldSnapshots: 0, ElectionTick: 0, HeartbeatTick: 0 },
    Dispatcher: {},
    CAConfig: {},
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
}

/** A number the daemon takes only when non-zero (Go's "0 means not set"). */
function nonZero(value: number | undefined): number | undefined {
  return value === undefined || value === 0 ? undefined : value;
}

/** Drops undefined members so JSON and deep-equality both see Go's omitempty. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function mergeExternalCAs(base: ExternalCA[] | undefined, added: ExternalCA[] | null | undefined): ExternalCA[] | undefined {
  if (!added || added.length === 0) return base?.map((ca) => ({ ...ca }));
  const merged = (base ?? []).map((ca) => ({ ...ca }));
  for (const ca of added) {
    const protocol = String(ca.Protocol ?? '').toLowerCase();
    if (protocol !== 'cfssl') throw apiError(invalidExternalCAProtocol(String(ca.Protocol ?? '')));
    merged.push(compact({ Protocol: 'cfssl', URL: ca.URL, Options: ca.Options, CACert: ca.CACert ?? '' }));
  }
  return merged;
}

/**
 * Merges a client's cluster spec into `base` the daemon's way: a field replaces the base value only
 * when it is set (non-zero, non-null, non-empty), except ForceRotate and AutoLockManagers, which are
 * always taken from the input. Throws DockerApiError(400) for an unknown external CA protocol.
 */
export function mergeSwarmSpec(base: SwarmSpec, input: SwarmSpecInput = {}): SwarmSpec {
  const labels = input.Labels && Object.keys(input.Labels).length > 0 ? input.Labels : base.Labels;
  const caConfig: CAConfig = compact({
    NodeCertExpiry: nonZero(input.CAConfig?.NodeCertExpiry) ?? base.CAConfig.NodeCertExpiry,
    ExternalCAs: mergeExternalCAs(base.CAConfig.ExternalCAs, input.CAConfig?.ExternalCAs),
    SigningCACert: input.CAConfig?.SigningCACert || base.CAConfig.SigningCACert,
    SigningCAKey: input.CAConfig?.SigningCAKey || base.CAConfig.SigningCAKey,
    ForceRotate: nonZero(input.CAConfig?.ForceRotate),
  });
  const logDriver = input.TaskDefaults?.LogDriver ?? base.TaskDefaults.LogDriver;
  return {
    Name: input.Name || base.Name,
    Labels: { ...labels },
    Orchestration: {
      TaskHistoryRetentionLimit:
        input.Orchestration?.TaskHistoryRetentionLimit ?? base.Orchestration.TaskHistoryRetentionLimit,
    },
    Raft: compact({
      SnapshotInterval: nonZero(input.Raft?.SnapshotInterval) ?? base.Raft.SnapshotInterval,
      KeepOldSnapshots: input.Raft?.KeepOldSnapshots ?? base.Raft.KeepOldSnapshots,
      LogEntriesForSlowFollowers:
        nonZero(input.Raft?.LogEntriesForSlowFollowers) ?? base.Raft.LogEntriesForSlowFollowers,
      ElectionTick: nonZero(input.Raft?.ElectionTick) ?? base.Raft.ElectionTick,
      HeartbeatTick: nonZero(input.Raft?.HeartbeatTick) ?? base.Raft.HeartbeatTick,
    }),
    Dispatcher: compact({
      HeartbeatPeriod: nonZero(input.Dispatcher?.HeartbeatPeriod) ?? base.Dispatcher.HeartbeatPeriod,
    }),
    CAConfig: caConfig,
    TaskDefaults: logDriver ? { LogDriver: { ...logDriver } } : {},
    EncryptionConfig: { AutoLockManagers: input.EncryptionConfig?.AutoLockManagers === true },
  };
}

/** The cluster spec after `swarm init` with this request spec: SwarmKit's defaults for what is unset. */
export function fillSwarmSpecDefaults(input: SwarmSpecInput = {}): SwarmSpec {
  return mergeSwarmSpec(defaultSwarmSpec(), input);
}

/**
 * The cluster spec after `swarm update`: the client must send the whole spec, and a zero field is
 * stored as zero (moby convert.SwarmSpecToGRPC merges into an empty spec). The name must be
 * `default` or empty (validated by validateSwarmSpecName).
 */
export function swarmSpecFromUpdate(input: SwarmSpecInput = {}): SwarmSpec {
  return mergeSwarmSpec(zeroSwarmSpec(), { ...input, Name: input.Name || DEFAULT_SWARM_NAME });
}

/** The spec as GET /swarm shows it: the signing CA cert and key are never returned. */
export function publicSwarmSpec(spec: SwarmSpec): SwarmSpec {
  const { SigningCACert: _cert, SigningCAKey: _key, ...caConfig } = spec.CAConfig;
  return { ...spec, CAConfig: caConfig };
}

export function defaultUpdateConfig(): UpdateConfig {
  return {
    Parallelism: 1,
    FailureAction: 'pause',
    Monitor: DEFAULT_UPDATE_MONITOR,
    MaxFailureRatio: 0,
    Order: 'stop-first',
  };
}

function withMonitor(config: UpdateConfig | undefined): UpdateConfig {
  if (!config) return defaultUpdateConfig();
  if (config.Monitor) return inGoFieldOrder({ ...config }, UPDATE_CONFIG_FIELDS);
  return inGoFieldOrder({ ...config, Monitor: DEFAULT_UPDATE_MONITOR }, UPDATE_CONFIG_FIELDS);
}

function withRestartDefaults(policy: RestartPolicy | undefined): RestartPolicy {
  if (!policy) return { Condition: 'any', Delay: DEFAULT_RESTART_DELAY, MaxAttempts: 0 };
  return inGoFieldOrder({ ...policy, Delay: policy.Delay ?? DEFAULT_RESTART_DELAY }, RESTART_POLICY_FIELDS);
}

function withContainerDefaults(container: ContainerSpec): ContainerSpec {
  return inGoFieldOrder(
    {
      ...container,
      StopGracePeriod: container.StopGracePeriod ?? DEFAULT_STOP_GRACE_PERIOD,
      DNSConfig: container.DNSConfig ?? {},
    },
    CONTAINER_SPEC_FIELDS,
  );
}

/**
 * The service spec as `GET /services/{id}?insertDefaults=true` shows it. Mode and EndpointSpec are
 * not touched (SwarmKit has no defaults for them); PreviousSpec is never interpolated.
 */
export function fillServiceSpecDefaults(spec: ServiceSpec): ServiceSpec {
  const copy = structuredClone(spec);
  const template = copy.TaskTemplate;
  const taskTemplate: TaskSpec = inGoFieldOrder(
    {
      ...template,
      ContainerSpec: template.ContainerSpec ? withContainerDefaults(template.ContainerSpec) : template.ContainerSpec,
      Resources: template.Resources ?? {},
      RestartPolicy: withRestartDefaults(template.RestartPolicy),
      Placement: template.Placement ?? {},
    },
    TASK_SPEC_FIELDS,
  );
  return inGoFieldOrder(
    {
      ...copy,
      TaskTemplate: taskTemplate,
      UpdateConfig: withMonitor(copy.UpdateConfig),
      RollbackConfig: withMonitor(copy.RollbackConfig),
    },
    SERVICE_SPEC_FIELDS,
  );
}
