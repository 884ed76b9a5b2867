// What a service spec becomes when the daemon stores it: moby converts the request to SwarmKit's
// protobuf spec (convert.ServiceSpecToGRPC) and back (serviceSpecFromGRPC) on every read, which
// names nameless services, defaults the mode, reads empty enum strings as their defaults and
// rejects unknown ones. `GET /services/{id}?insertDefaults=false` shows this form
// (reference/real-swarm/api-services.json); insertDefaults=true adds fillServiceSpecDefaults.

import {
  apiError,
  invalidResolutionMode,
  invalidRestartCondition,
  MISMATCHED_RUNTIME,
  MORE_THAN_ONE_MODE,
  UNSUPPORTED_RUNTIME,
  unrecognizedFailureAction,
  unrecognizedUpdateOrder,
} from './errors.js';
import {
  CONTAINER_SPEC_FIELDS,
  inGoFieldOrder,
  PLACEMENT_FIELDS,
  PORT_CONFIG_FIELDS,
  RESTART_POLICY_FIELDS,
  SERVICE_SPEC_FIELDS,
  TASK_SPEC_FIELDS,
  UPDATE_CONFIG_FIELDS,
} from './field-order.js';
import type { PortConfig } from './types/common.js';
import {
  PORT_PROTOCOLS,
  PUBLISH_MODES,
  RESTART_CONDITIONS,
  UPDATE_FAILURE_ACTIONS,
  UPDATE_ORDERS,
} from './types/enums.js';
import type { EndpointSpec, ServiceMode, ServiceModeInput, ServiceSpec, ServiceSpecInput, UpdateConfig } from './types/service.js';
import type {
  ContainerSpec,
  NetworkAttachmentConfig,
  Placement,
  RestartPolicy,
  TaskSpec,
  TaskSpecInput,
} from './types/task-spec.js';

export interface NormalizeServiceSpecOptions {
  /** Names a service created without a name (dockerd uses random `adjective_surname` names). */
  randomName: () => string;
}

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

const nonEmpty = <T>(list: T[] | null | undefined): T[] | undefined =>
  list && list.length > 0 ? list : undefined;

const nonZero = (value: number | undefined): number | undefined => (value ? value : undefined);

/** The mode the daemon stores (MB:convert/service.go ServiceSpecToGRPC): one replica when unset. */
export function normalizeServiceMode(mode: ServiceModeInput | undefined): ServiceMode {
  const set = [mode?.Replicated, mode?.Global, mode?.ReplicatedJob, mode?.GlobalJob].filter((m) => m != null);
  if (set.length > 1) throw apiError(MORE_THAN_ONE_MODE);
  if (mode?.Global) return { Global: {} };
  if (mode?.GlobalJob) return { GlobalJob: {} };
  if (mode?.ReplicatedJob) {
    const maxConcurrent = mode.ReplicatedJob.MaxConcurrent ?? 1;
    return {
      ReplicatedJob: {
        MaxConcurrent: maxConcurrent,
        TotalCompletions: mode.ReplicatedJob.TotalCompletions ?? maxConcurrent,
      },
    };
  }
  return { Replicated: { Replicas: mode?.Replicated?.Replicas ?? 1 } };
}

function normalizeIsolation(isolation: string | undefined): string {
  const lower = (isolation ?? '').toLowerCase();
  return lower === 'process' || lower === 'hyperv' ? lower : 'default';
}

function normalizeContainerSpec(container: ContainerSpec): ContainerSpec {
  return inGoFieldOrder({ ...container, Isolation: normalizeIsolation(container.Isolation) }, CONTAINER_SPEC_FIELDS);
}

function normalizeRestartPolicy(policy: RestartPolicy): RestartPolicy {
  const condition = String(policy.Condition ?? '');
  if (condition !== '' && !isOneOf(RESTART_CONDITIONS, condition)) throw apiError(invalidRestartCondition(condition));
  return inGoFieldOrder(
    {
      Condition: condition === '' ? 'any' : condition,
      Delay: policy.Delay,
      MaxAttempts: policy.MaxAttempts ?? 0,
      Window: policy.Window,
    },
    RESTART_POLICY_FIELDS,
  );
}

function normalizePlacement(placement: Placement): Placement {
  return inGoFieldOrder(
    {
      Constraints: nonEmpty(placement.Constraints),
      Preferences: nonEmpty(placement.Preferences?.filter((p) => p.Spread)),
      MaxReplicas: nonZero(placement.MaxReplicas),
      Platforms: nonEmpty(placement.Platforms),
    },
    PLACEMENT_FIELDS,
  );
}

function normalizeNetworks(networks: NetworkAttachmentConfig[] | null | undefined): NetworkAttachmentConfig[] | undefined {
  return nonEmpty(networks)?.map((n) =>
    inGoFieldOrder(
      { Target: n.Target, Aliases: nonEmpty(n.Aliases), DriverOpts: n.DriverOpts },
      ['Target', 'Aliases', 'DriverOpts'],
    ),
  );
}

function normalizeTaskTemplate(template: TaskSpecInput): TaskSpec {
  const runtime = String(template.Runtime ?? '');
  if (runtime !== '' && runtime !== 'container') throw apiError(UNSUPPORTED_RUNTIME);
  if (!template.ContainerSpec) throw apiError(MISMATCHED_RUNTIME);
  return inGoFieldOrder(
    {
      ContainerSpec: normalizeContainerSpec(template.ContainerSpec),
      Resources: template.Resources ? structuredClone(template.Resources) : undefined,
      RestartPolicy: template.RestartPolicy ? normalizeRestartPolicy(template.RestartPolicy) : undefined,
      Placement: template.Placement ? normalizePlacement(template.Placement) : undefined,
      Networks: normalizeNetworks(template.Networks),
      LogDriver: template.LogDriver ? structuredClone(template.LogDriver) : undefined,
      ForceUpdate: template.ForceUpdate ?? 0,
      Runtime: 'container',
    },
    TASK_SPEC_FIELDS,
  );
}

function normalizeUpdateConfig(config: Partial<UpdateConfig>): UpdateConfig {
  const action = String(config.FailureAction ?? '');
  if (action !== '' && !isOneOf(UPDATE_FAILURE_ACTIONS, action)) throw apiError(unrecognizedFailureAction(action));
  const order = String(config.Order ?? '');
  if (order !== '' && !isOneOf(UPDATE_ORDERS, order)) throw apiError(unrecognizedUpdateOrder(order));
  return inGoFieldOrder(
    {
      Parallelism: config.Parallelism ?? 0,
      Delay: nonZero(config.Delay),
      FailureAction: action === '' ? 'pause' : action,
      Monitor: nonZero(config.Monitor),
      MaxFailureRatio: config.MaxFailureRatio ?? 0,
      Order: order === '' ? 'stop-first' : order,
    },
    UPDATE_CONFIG_FIELDS,
  );
}

function normalizePort(port: PortConfig): PortConfig {
  // The daemon maps names through SwarmKit's enums: unknown values become the zero value.
  const protocol = String(port.Protocol ?? '').toLowerCase();
  const publishMode = String(port.PublishMode ?? '').toLowerCase();
  return inGoFieldOrder(
    {
      Name: port.Name || undefined,
      Protocol: isOneOf(PORT_PROTOCOLS, protocol) ? protocol : 'tcp',
      TargetPort: nonZero(port.TargetPort),
      PublishedPort: nonZero(port.PublishedPort),
      PublishMode: isOneOf(PUBLISH_MODES, publishMode) ? publishMode : 'ingress',
    },
    PORT_CONFIG_FIELDS,
  );
}

function normalizeEndpointSpec(endpoint: EndpointSpec): EndpointSpec {
  const mode = String(endpoint.Mode ?? '');
  if (mode !== '' && mode !== 'vip' && mode !== 'dnsrr') throw apiError(invalidResolutionMode(mode));
  return inGoFieldOrder(
    { Mode: mode === 'dnsrr' ? 'dnsrr' : 'vip', Ports: nonEmpty(endpoint.Ports)?.map(normalizePort) },
    ['Mode', 'Ports'],
  );
}

/**
 * The spec the daemon stores for a create or update request. Throws DockerApiError(400) with the
 * daemon's text for conversion errors; SwarmKit's own checks are in validateServiceSpec.
 */
export function normalizeServiceSpec(input: ServiceSpecInput, options: NormalizeServiceSpecOptions): ServiceSpec {
  return inGoFieldOrder(
    {
      Name: input.Name || options.randomName(),
      Labels: { ...(input.Labels ?? {}) },
      TaskTemplate: normalizeTaskTemplate(input.TaskTemplate ?? ({} as TaskSpecInput)),
      Mode: normalizeServiceMode(input.Mode),
      UpdateConfig: input.UpdateConfig ? normalizeUpdateConfig(input.UpdateConfig) : undefined,
      RollbackConfig: input.RollbackConfig ? normalizeUpdateConfig(input.RollbackConfig) : undefined,
      Networks: normalizeNetworks(input.Networks),
      EndpointSpec: input.EndpointSpec ? normalizeEndpointSpec(input.EndpointSpec) : undefined,
    },
    SERVICE_SPEC_FIELDS,
  );
}

/** The `Spec` of a task made from this service: its TaskTemplate, without `Runtime` (api-tasks.json). */
export function taskSpecFromServiceSpec(spec: ServiceSpec): TaskSpec {
  const { Runtime: _runtime, ...template } = structuredClone(spec.TaskTemplate);
  return template;
}
