// The types against a real daemon's answers: each test lists a type's required fields once,
// tsc checks that list against the type (expectTypeOf), and the test checks that every object a
// real daemon returned has them. Enum fields are checked against the const lists.

import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  NODE_AVAILABILITIES,
  NODE_ROLES,
  NODE_STATES,
  REACHABILITIES,
  TASK_STATES,
  TERMINAL_TASK_STATES,
  taskStateRank,
  UPDATE_STATES,
  type ClusterInfo,
  type Config,
  type EventMessage,
  type Info,
  type Network,
  type Node,
  type NodeDescription,
  type NodeSpec,
  type RaftConfig,
  type Secret,
  type Service,
  type ServiceSpec,
  type Swarm,
  type SwarmInfo,
  type SwarmSpec,
  type SystemVersion,
  type Task,
  type TaskSpec,
  type TaskStatus,
} from '../src/index.js';
import { fixture, fixtureText } from './helpers/fixtures.js';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

function expectKeys(objects: readonly object[], keys: readonly string[]): void {
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) for (const key of keys) expect(object, `missing ${key}`).toHaveProperty([key]);
}

const nodes = [
  ...fixture<Node[]>('api-nodes.json'),
  ...fixture<Node[]>('node-inspect-self.json'),
  ...fixture<Node[]>('node-inspect-self-drained.json'),
  ...fixture<Node[]>('multinode/api-nodes-3managers.json'),
  ...fixture<Node[]>('multinode/node-inspect-node2.json'),
];
const services = [
  ...fixture<Service[]>('api-services.json'),
  ...['app', 'http', 'httphost', 'web', 'web-after-update', 'web-after-rollback'].flatMap((n) =>
    fixture<Service[]>(`service-inspect-${n}.json`),
  ),
  ...fixture<Service[]>('multinode/service-inspect-web.json'),
];
const tasks = [
  ...fixture<Task[]>('api-tasks.json'),
  ...['app', 'web', 'web-pending-drained'].flatMap((n) => fixture<Task[]>(`task-inspect-${n}.json`)),
  ...fixture<Task[]>('multinode/task-inspect-web-on-node2.json'),
];

describe('Node', () => {
  const keys = ['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Description', 'Status'] as const;
  const specKeys = ['Labels', 'Role', 'Availability'] as const;
  const descriptionKeys = ['Hostname', 'Platform', 'Resources', 'Engine', 'TLSInfo'] as const;

  it('has the fields of every node a real daemon returned', () => {
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<Node>>();
    expectTypeOf<(typeof specKeys)[number]>().toEqualTypeOf<RequiredKeys<NodeSpec>>();
    expectTypeOf<(typeof descriptionKeys)[number]>().toEqualTypeOf<RequiredKeys<NodeDescription>>();
    expectKeys(nodes, keys);
    expectKeys(nodes.map((n) => n.Spec), specKeys);
    expectKeys(nodes.map((n) => n.Description), descriptionKeys);
    expectKeys(nodes.map((n) => n.Status), ['State', 'Addr']);
    expectKeys(nodes.flatMap((n) => (n.ManagerStatus ? [n.ManagerStatus] : [])), ['Reachability', 'Addr']);
  });

  it('uses the enum values the types allow', () => {
    for (const node of nodes) {
      expect(NODE_STATES).toContain(node.Status.State);
      expect(NODE_ROLES).toContain(node.Spec.Role);
      expect(NODE_AVAILABILITIES).toContain(node.Spec.Availability);
      if (node.ManagerStatus) expect(REACHABILITIES).toContain(node.ManagerStatus.Reachability);
    }
  });

  it('reads as typed', () => {
    const [leader] = fixture<Node[]>('api-nodes.json');
    expect(leader.ManagerStatus?.Leader).toBe(true);
    expect(leader.ManagerStatus?.Addr).toBe('127.0.0.1:2377');
    expect(leader.Description.Resources.NanoCPUs).toBe(2_000_000_000);
    expect(Buffer.from(leader.Description.TLSInfo.CertIssuerSubject, 'base64').toString('latin1')).toContain('swarm-ca');
    // Followers leave Leader out (Go omitempty on a false bool).
    const followers = fixture<Node[]>('multinode/api-nodes-3managers.json').filter((n) => !n.ManagerStatus?.Leader);
    expect(followers.every((n) => n.ManagerStatus && !('Leader' in n.ManagerStatus))).toBe(true);
  });
});

describe('Swarm and Info', () => {
  const swarmKeys = [
    'ID',
    'Version',
    'CreatedAt',
    'UpdatedAt',
    'Spec',
    'TLSInfo',
    'RootRotationInProgress',
    'DefaultAddrPool',
    'SubnetSize',
    'DataPathPort',
    'JoinTokens',
  ] as const;
  const specKeys = [
    'Name',
    'Labels',
    'Orchestration',
    'Raft',
    'Dispatcher',
    'CAConfig',
    'TaskDefaults',
    'EncryptionConfig',
  ] as const;
  const raftKeys = ['KeepOldSnapshots', 'ElectionTick', 'HeartbeatTick'] as const;
  const swarmInfoKeys = ['NodeID', 'NodeAddr', 'LocalNodeState', 'ControlAvailable', 'Error', 'RemoteManagers'] as const;
  const infoKeys = [
    'ID', 'Containers', 'ContainersRunning', 'ContainersPaused', 'ContainersStopped', 'Images', 'Driver',
    'DriverStatus', 'Plugins', 'MemoryLimit', 'SwapLimit', 'CpuCfsPeriod', 'CpuCfsQuota', 'CPUShares', 'CPUSet',
    'PidsLimit', 'IPv4Forwarding', 'BridgeNfIptables', 'BridgeNfIp6tables', 'Debug', 'NFd', 'OomKillDisable',
    'NGoroutines', 'SystemTime', 'LoggingDriver', 'CgroupDriver', 'NEventsListener', 'KernelVersion',
    'OperatingSystem', 'OSVersion', 'OSType', 'Architecture', 'IndexServerAddress', 'RegistryConfig', 'NCPU',
    'MemTotal', 'GenericResources', 'DockerRootDir', 'HttpProxy', 'HttpsProxy', 'NoProxy', 'Name', 'Labels',
    'ExperimentalBuild', 'ServerVersion', 'Runtimes', 'DefaultRuntime', 'Swarm', 'LiveRestoreEnabled', 'Isolation',
    'InitBinary', 'ContainerdCommit', 'RuncCommit', 'InitCommit', 'SecurityOptions', 'Warnings',
  ] as const;

  it('has the fields a real swarm and /info returned', () => {
    expectTypeOf<(typeof swarmKeys)[number]>().toEqualTypeOf<RequiredKeys<Swarm>>();
    expectTypeOf<Exclude<(typeof swarmKeys)[number], 'JoinTokens'>>().toEqualTypeOf<RequiredKeys<ClusterInfo>>();
    expectTypeOf<(typeof specKeys)[number]>().toEqualTypeOf<RequiredKeys<SwarmSpec>>();
    expectTypeOf<(typeof raftKeys)[number]>().toEqualTypeOf<RequiredKeys<RaftConfig>>();
    expectTypeOf<(typeof swarmInfoKeys)[number]>().toEqualTypeOf<RequiredKeys<SwarmInfo>>();
    expectTypeOf<(typeof infoKeys)[number]>().toEqualTypeOf<RequiredKeys<Info>>();

    const swarm = fixture<Swarm>('api-swarm.json');
    const info = fixture<Info>('api-info.json');
    const multinodeInfo = fixture<SwarmInfo>('multinode/info-swarm-node1.json');
    expectKeys([swarm], swarmKeys);
    expectKeys([info.Swarm.Cluster!, multinodeInfo.Cluster!], swarmKeys.filter((k) => k !== 'JoinTokens'));
    expectKeys([swarm.Spec, info.Swarm.Cluster!.Spec], specKeys);
    expectKeys([swarm.Spec.Raft], raftKeys);
    expectKeys([info.Swarm, multinodeInfo], swarmInfoKeys);
    expectKeys([info], infoKeys);
  });

  it('reads as typed', () => {
    const swarm = fixture<Swarm>('api-swarm.json');
    expect(swarm.Spec.CAConfig.NodeCertExpiry).toBe(2160 * 3600 * 1e9);
    expect(swarm.JoinTokens.Manager).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    const info = fixture<Info>('api-info.json');
    expect(info.Swarm.LocalNodeState).toBe('active');
    expect(info.Swarm.RemoteManagers?.[0].Addr).toBe('127.0.0.1:2377');
    const version = fixture<SystemVersion>('api-version.json');
    expectKeys([version], ['Platform', 'Version', 'ApiVersion', 'GitCommit', 'GoVersion', 'Os', 'Arch'] satisfies Array<
      RequiredKeys<SystemVersion>
    >);
    expect(version.Components?.[0].Details?.ApiVersion).toBe('1.41');
  });
});

describe('Service', () => {
  const keys = ['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Endpoint'] as const;
  const specKeys = ['Name', 'Labels', 'TaskTemplate', 'Mode'] as const;
  const taskSpecKeys = ['ContainerSpec', 'ForceUpdate'] as const;

  it('has the fields of every service a real daemon returned', () => {
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<Service>>();
    expectTypeOf<(typeof specKeys)[number]>().toEqualTypeOf<RequiredKeys<ServiceSpec>>();
    expectTypeOf<(typeof taskSpecKeys)[number]>().toEqualTypeOf<RequiredKeys<TaskSpec>>();
    expectKeys(services, keys);
    expectKeys(services.map((s) => s.Spec), specKeys);
    expectKeys(services.map((s) => s.Spec.TaskTemplate), taskSpecKeys);
    expectKeys(services.map((s) => s.Endpoint), ['Spec']);
  });

  it('reads as typed', () => {
    const http = services.find((s) => s.Spec.Name === 'http')!;
    expect(http.Spec.Mode.Replicated?.Replicas).toBe(2);
    expect(http.Endpoint.Ports?.[0]).toEqual({ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' });
    expect(http.Endpoint.VirtualIPs?.map((v) => v.Addr)).toEqual(['10.0.0.3/24', '10.0.1.6/24']);
    const rolledBack = fixture<Service[]>('service-inspect-web-after-rollback.json')[0];
    expect(UPDATE_STATES).toContain(rolledBack.UpdateStatus?.State);
    expect(rolledBack.PreviousSpec?.UpdateConfig?.Parallelism).toBe(2);
    expect(services.find((s) => s.Spec.Name === 'httphost')!.Spec.Mode.Global).toEqual({});
  });
});

describe('Task', () => {
  const keys = ['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Labels', 'Spec', 'ServiceID', 'Status', 'DesiredState'] as const;
  const statusKeys = ['Timestamp', 'State', 'PortStatus'] as const;

  it('has the fields of every task a real daemon returned', () => {
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<Task>>();
    expectTypeOf<(typeof statusKeys)[number]>().toEqualTypeOf<RequiredKeys<TaskStatus>>();
    expectKeys(tasks, keys);
    expectKeys(tasks.map((t) => t.Status), statusKeys);
    expectKeys(tasks.map((t) => t.Spec), ['ContainerSpec', 'ForceUpdate']);
  });

  it('uses task states in SwarmKit order', () => {
    for (const task of tasks) {
      expect(TASK_STATES).toContain(task.Status.State);
      expect(TASK_STATES).toContain(task.DesiredState);
    }
    expect(taskStateRank('preparing')).toBeLessThan(taskStateRank('ready'));
    expect(taskStateRank('running')).toBeLessThan(taskStateRank('complete'));
    expect(TERMINAL_TASK_STATES.has('shutdown')).toBe(true);
    expect(TERMINAL_TASK_STATES.has('running')).toBe(false);
  });

  it('reads as typed', () => {
    const pending = fixture<Task[]>('task-inspect-web-pending-drained.json')[0];
    expect(pending.NodeID).toBeUndefined();
    expect(pending.Status.Err).toBe('no suitable node (1 node not available for new tasks)');
    expect(pending.Status.ContainerStatus).toBeUndefined();
    const attached = fixture<Task[]>('task-inspect-app.json')[0];
    expect(attached.NetworksAttachments?.map((a) => a.Network.Spec.Name)).toEqual(['mynet']);
    expect(attached.Status.ContainerStatus?.PID).toBeGreaterThan(0);
  });
});

describe('Network, Secret, Config, events', () => {
  const networkKeys = [
    'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress',
    'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels',
  ] as const;

  it('has the fields of every network a real daemon returned (EnableIPv4 came with API 1.47)', () => {
    expectTypeOf<(typeof networkKeys)[number] | 'EnableIPv4'>().toEqualTypeOf<RequiredKeys<Network>>();
    const networks = [
      ...fixture<Network[]>('api-networks.json'),
      ...['ingress', 'mynet', 'docker_gwbridge'].flatMap((n) => fixture<Network[]>(`network-inspect-${n}.json`)),
      ...fixture<Network[]>('multinode/network-inspect-mnet-verbose.json'),
    ];
    expectKeys(networks, networkKeys);
    const ingress = networks.find((n) => n.Name === 'ingress' && n.Peers)!;
    expect(ingress.IPAM.Config?.[0]).toEqual({ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' });
    expect(ingress.Peers?.[0].IP).toBe('127.0.0.1');
  });

  it('has the fields of real secrets and configs; secrets never carry Data', () => {
    const secrets = [...fixture<Secret[]>('api-secrets.json'), ...fixture<Secret[]>('secret-inspect-mysecret.json')];
    const configs = [...fixture<Config[]>('api-configs.json'), ...fixture<Config[]>('config-inspect-myconfig.json')];
    const keys = ['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec'] as const;
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<Secret>>();
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<Config>>();
    expectKeys([...secrets, ...configs], keys);
    expect(secrets.every((s) => s.Spec.Data === undefined)).toBe(true);
    expect(Buffer.from(configs[0].Spec.Data, 'base64').toString()).toBe('key=value\n');
  });

  it('reads the event stream as EventMessage', () => {
    const events = fixtureText('events-swarm.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EventMessage);
    const keys = ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano'] as const;
    expectTypeOf<(typeof keys)[number]>().toEqualTypeOf<RequiredKeys<EventMessage>>();
    expectKeys(events, keys);
    expect(events.every((e) => e.scope === 'swarm')).toBe(true);
    expect(events.find((e) => e.Actor.Attributes['state.new'])?.Actor.Attributes).toMatchObject({
      'state.old': 'unknown',
      'state.new': 'ready',
    });
  });
});
