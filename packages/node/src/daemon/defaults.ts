// Defaults the daemon fills for zero values at `swarm init` (docker-cli README §4.2; real-swarm
// api-swarm.json), and the ingress network every swarm starts with.

import { newIdentityId } from '@swarmlab/pki/light';
import type { SwarmSpec } from '../manager/objects.js';
import type { StoredObject } from '../store/memory.js';

const SECOND_NS = 1_000_000_000;
const HOUR_NS = 3600 * SECOND_NS;

export function fillSwarmSpec(spec: Partial<SwarmSpec> | undefined, autolock?: boolean): SwarmSpec {
  const s = spec ?? {};
  return {
    Name: s.Name || 'default',
    Labels: s.Labels ?? {},
    Orchestration: { TaskHistoryRetentionLimit: s.Orchestration?.TaskHistoryRetentionLimit || 5 },
    Raft: {
      SnapshotInterval: s.Raft?.SnapshotInterval || 10000,
      KeepOldSnapshots: s.Raft?.KeepOldSnapshots ?? 0,
      LogEntriesForSlowFollowers: s.Raft?.LogEntriesForSlowFollowers || 500,
      ElectionTick: s.Raft?.ElectionTick || 10,
      HeartbeatTick: s.Raft?.HeartbeatTick || 1,
    },
    Dispatcher: { HeartbeatPeriod: s.Dispatcher?.HeartbeatPeriod || 5 * SECOND_NS },
    CAConfig: {
      NodeCertExpiry: s.CAConfig?.NodeCertExpiry || 2160 * HOUR_NS,
      ...(s.CAConfig?.ExternalCAs?.length ? { ExternalCAs: s.CAConfig.ExternalCAs } : {}),
    },
    TaskDefaults: s.TaskDefaults ?? {},
    EncryptionConfig: { AutoLockManagers: Boolean(autolock ?? s.EncryptionConfig?.AutoLockManagers) },
  };
}

/** The first subnet of the pool: 10.0.0.0/24 by default, or e.g. 10.20.0.0/26 for 10.20.0.0/16 + 26. */
export function firstSubnet(pool: string[] | null, subnetSize: number): { subnet: string; gateway: string } {
  const base = (pool?.[0] ?? '10.0.0.0/8').split('/')[0];
  const octets = base.split('.').map(Number);
  const gw = [...octets.slice(0, 3), octets[3] + 1].join('.');
  return { subnet: `${base}/${subnetSize}`, gateway: gw };
}

export function defaultIngressNetwork(now: string, pool: string[] | null, subnetSize: number): StoredObject {
  const { subnet, gateway } = firstSubnet(pool, subnetSize);
  return {
    ID: newIdentityId(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: {
      Name: 'ingress',
      Labels: {},
      DriverConfiguration: { Name: 'overlay' },
      Ingress: true,
      IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: subnet, Gateway: gateway }] },
      Scope: 'swarm',
    },
    DriverState: { Name: 'overlay', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4096' } },
    IPAM: { Driver: { Name: 'default' }, Configs: [{ Subnet: subnet, Gateway: gateway }] },
  };
}
