import { describe, expect, it } from 'vitest';
import {
  DockerApiError,
  fillServiceSpecDefaults,
  fillSwarmSpecDefaults,
  HOUR,
  mergeSwarmSpec,
  publicSwarmSpec,
  SECOND,
  swarmSpecFromUpdate,
  type ClusterInfo,
  type Service,
  type ServiceSpec,
  type Swarm,
  type SwarmSpecInput,
} from '../src/index.js';
import { fixture, inspected } from './helpers/fixtures.js';

/** The Spec the docker CLI 28 sends with `swarm init --autolock` (README §4.2). */
const CLI_INIT_SPEC: SwarmSpecInput = {
  Labels: null,
  Orchestration: {},
  Raft: { ElectionTick: 0, HeartbeatTick: 0 },
  Dispatcher: {},
  CAConfig: {},
  TaskDefaults: {},
  EncryptionConfig: { AutoLockManagers: true },
};

describe('fillSwarmSpecDefaults', () => {
  it('gives exactly the spec a real swarm initialised with --autolock reports (same JSON, same key order)', () => {
    const real = fixture<Swarm>('api-swarm.json');
    expect(JSON.stringify(fillSwarmSpecDefaults(CLI_INIT_SPEC))).toBe(JSON.stringify(real.Spec));
  });

  it('gives the spec of a swarm initialised without autolock (multinode Info.Swarm.Cluster)', () => {
    const cluster = fixture<{ Cluster: ClusterInfo }>('multinode/info-swarm-node1.json').Cluster;
    expect(JSON.stringify(fillSwarmSpecDefaults({}))).toBe(JSON.stringify(cluster.Spec));
  });

  it('lets non-zero request values replace the defaults and keeps the rest', () => {
    const spec = fillSwarmSpecDefaults({
      Labels: { team: 'a' },
      Orchestration: { TaskHistoryRetentionLimit: 2 },
      Raft: { SnapshotInterval: 500, KeepOldSnapshots: 3, ElectionTick: 20 },
      Dispatcher: { HeartbeatPeriod: 10 * SECOND },
      CAConfig: { NodeCertExpiry: 48 * HOUR },
    });
    expect(spec.Labels).toEqual({ team: 'a' });
    expect(spec.Orchestration.TaskHistoryRetentionLimit).toBe(2);
    expect(spec.Raft).toEqual({
      SnapshotInterval: 500,
      KeepOldSnapshots: 3,
      LogEntriesForSlowFollowers: 500,
      ElectionTick: 20,
      HeartbeatTick: 1,
    });
    expect(spec.Dispatcher.HeartbeatPeriod).toBe(10 * SECOND);
    expect(spec.CAConfig.NodeCertExpiry).toBe(48 * HOUR);
  });

  it('reads a zero as "not set" but a zero TaskHistoryRetentionLimit or KeepOldSnapshots as a value', () => {
    const spec = fillSwarmSpecDefaults({
      Orchestration: { TaskHistoryRetentionLimit: 0 },
      Raft: { SnapshotInterval: 0, KeepOldSnapshots: 0, HeartbeatTick: 0 },
    });
    expect(spec.Orchestration.TaskHistoryRetentionLimit).toBe(0);
    expect(spec.Raft.SnapshotInterval).toBe(10_000);
    expect(spec.Raft.HeartbeatTick).toBe(1);
  });

  it('refuses an external CA protocol other than cfssl with the daemon text', () => {
    const call = () => fillSwarmSpecDefaults({ CAConfig: { ExternalCAs: [{ Protocol: 'acme' as 'cfssl', URL: 'https://x', CACert: '' }] } });
    expect(call).toThrow(DockerApiError);
    expect(call).toThrow('invalid protocol: "acme"');
  });
});

describe('swarm update merge', () => {
  it('keeps the full spec the CLI sends back, with the changed field', () => {
    const real = fixture<Swarm>('api-swarm.json').Spec;
    const changed = { ...real, Orchestration: { TaskHistoryRetentionLimit: 3 } };
    expect(swarmSpecFromUpdate(changed)).toEqual(changed);
  });

  it('stores zero for what an update leaves out, and names the spec default', () => {
    expect(swarmSpecFromUpdate({})).toEqual({
      Name: 'default',
      Labels: {},
      Orchestration: { TaskHistoryRetentionLimit: 0 },
      Raft: { KeepOldSnapshots: 0, ElectionTick: 0, HeartbeatTick: 0 },
      Dispatcher: {},
      CAConfig: {},
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: false },
    });
  });

  it('takes ForceRotate and AutoLockManagers from the input even when zero or false', () => {
    const base = fillSwarmSpecDefaults({ CAConfig: { ForceRotate: 4 }, EncryptionConfig: { AutoLockManagers: true } });
    expect(base.CAConfig.ForceRotate).toBe(4);
    const merged = mergeSwarmSpec(base, {});
    expect(merged.CAConfig.ForceRotate).toBeUndefined();
    expect(merged.EncryptionConfig.AutoLockManagers).toBe(false);
  });

  it('never shows the signing CA cert or key', () => {
    const spec = swarmSpecFromUpdate({ CAConfig: { SigningCACert: 'CERT', SigningCAKey: 'KEY', ForceRotate: 1 } });
    expect(spec.CAConfig.SigningCAKey).toBe('KEY');
    expect(publicSwarmSpec(spec).CAConfig).toEqual({ ForceRotate: 1 });
  });
});

describe('fillServiceSpecDefaults (insertDefaults=true)', () => {
  const listed = new Map(fixture<Service[]>('api-services.json').map((s) => [s.Spec.Name, s]));

  it.each([
    ['app', 'service-inspect-app.json'],
    ['http', 'service-inspect-http.json'],
    ['httphost', 'service-inspect-httphost.json'],
    ['web', 'service-inspect-web-after-rollback.json'],
  ])('turns the stored spec of %s into what `service inspect` printed, byte for byte', (name, file) => {
    const stored = listed.get(name);
    const inspectedService = inspected<Service>(file);
    expect(stored?.Version.Index).toBe(inspectedService.Version.Index);
    expect(JSON.stringify(fillServiceSpecDefaults(stored!.Spec))).toBe(JSON.stringify(inspectedService.Spec));
  });

  it('leaves PreviousSpec as stored (the daemon interpolates only Spec)', () => {
    const stored = listed.get('web')!;
    expect(inspected<Service>('service-inspect-web-after-rollback.json').PreviousSpec).toEqual(stored.PreviousSpec);
  });

  it('does not change its input', () => {
    const spec = listed.get('app')!.Spec;
    const before = JSON.stringify(spec);
    fillServiceSpecDefaults(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('fills only the missing parts of a restart policy and an update config', () => {
    const spec: ServiceSpec = {
      Name: 'x',
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'nginx', StopGracePeriod: 0 }, RestartPolicy: { Condition: 'none', MaxAttempts: 3 }, ForceUpdate: 0 },
      Mode: { Replicated: { Replicas: 1 } },
      UpdateConfig: { Parallelism: 2, MaxFailureRatio: 0.5, Order: 'start-first' },
    };
    const filled = fillServiceSpecDefaults(spec);
    expect(filled.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(0);
    expect(filled.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none', Delay: 5 * SECOND, MaxAttempts: 3 });
    expect(filled.UpdateConfig).toEqual({ Parallelism: 2, Monitor: 5 * SECOND, MaxFailureRatio: 0.5, Order: 'start-first' });
    expect(filled.RollbackConfig).toEqual({
      Parallelism: 1,
      FailureAction: 'pause',
      Monitor: 5 * SECOND,
      MaxFailureRatio: 0,
      Order: 'stop-first',
    });
    expect(filled.EndpointSpec).toBeUndefined();
  });
});
