// Go encodes struct fields in declaration order; keeping that order makes our JSON byte-for-byte
// comparable with a real daemon's answers (diffs, golden files), not just deep-equal.

/** Returns a shallow copy with `order`'s keys first (those present), then any others as they were. */
export function inGoFieldOrder<T extends object>(value: T, order: readonly string[]): T {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of order) if (key in source && source[key] !== undefined) out[key] = source[key];
  for (const key of Object.keys(source)) if (!(key in out) && source[key] !== undefined) out[key] = source[key];
  return out as T;
}

export const SERVICE_SPEC_FIELDS = [
  'Name',
  'Labels',
  'TaskTemplate',
  'Mode',
  'UpdateConfig',
  'RollbackConfig',
  'Networks',
  'EndpointSpec',
] as const;

export const TASK_SPEC_FIELDS = [
  'ContainerSpec',
  'PluginSpec',
  'NetworkAttachmentSpec',
  'Resources',
  'RestartPolicy',
  'Placement',
  'Networks',
  'LogDriver',
  'ForceUpdate',
  'Runtime',
] as const;

export const CONTAINER_SPEC_FIELDS = [
  'Image',
  'Labels',
  'Command',
  'Args',
  'Hostname',
  'Env',
  'Dir',
  'User',
  'Groups',
  'Privileges',
  'Init',
  'StopSignal',
  'TTY',
  'OpenStdin',
  'ReadOnly',
  'Mounts',
  'StopGracePeriod',
  'Healthcheck',
  'Hosts',
  'DNSConfig',
  'Secrets',
  'Configs',
  'Isolation',
  'Sysctls',
  'CapabilityAdd',
  'CapabilityDrop',
  'Ulimits',
  'OomScoreAdj',
] as const;

export const RESTART_POLICY_FIELDS = ['Condition', 'Delay', 'MaxAttempts', 'Window'] as const;

export const UPDATE_CONFIG_FIELDS = [
  'Parallelism',
  'Delay',
  'FailureAction',
  'Monitor',
  'MaxFailureRatio',
  'Order',
] as const;

export const PLACEMENT_FIELDS = ['Constraints', 'Preferences', 'MaxReplicas', 'Platforms'] as const;

export const PORT_CONFIG_FIELDS = ['Name', 'Protocol', 'TargetPort', 'PublishedPort', 'PublishMode'] as const;
