// The leader hands out VIPs, task addresses, subnets and published ports before their commits
// apply, and several commits are in flight at once. Over a Raft stand-in whose commits are slow
// and overlap, concurrent creates and the orchestrator's pipelined rounds never hand out the same
// one twice.

import type { Task } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import { createNetwork } from '../src/manager/controlapi/networks.js';
import { createService } from '../src/manager/controlapi/services.js';
import type { NetworkObject } from '../src/manager/controlapi/network-view.js';
import type { ServiceObject } from '../src/manager/objects.js';
import { Orchestration } from '../src/manager/orchestration.js';
import type { MemoryStore, StoredObject } from '../src/store/memory.js';
import { service } from './scheduler-fixtures.js';
import { slowCluster } from './helpers/slow-raft.js';

const overlay = (name: string) => ({ Name: name, Driver: 'overlay', CheckDuplicate: true });
const serviceSpec = (name: string, extra: Record<string, unknown> = {}) => ({
  Name: name,
  TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Networks: [{ Target: 'front' }] },
  Mode: { Replicated: { Replicas: 1 } },
  ...extra,
});

function vipsOf(store: MemoryStore): string[] {
  return store.list<ServiceObject>('service').flatMap((s) => (s.Endpoint?.VirtualIPs ?? []).map((v) => v.Addr!));
}

describe('allocation while commits are in flight', () => {
  it('concurrent network creates get distinct subnets and VXLAN IDs', async () => {
    const c = slowCluster(1);
    await Promise.all([1, 2, 3, 4, 5].map((i) => createNetwork(c.ctx, overlay(`net${i}`))));
    const networks = c.store.list<NetworkObject>('network');
    expect(networks).toHaveLength(5);
    expect(new Set(networks.map((n) => n.IPAM!.Configs![0]!.Subnet)).size).toBe(5);
    expect(new Set(networks.map((n) => n.DriverState!.Options!['com.docker.network.driver.overlay.vxlanid_list'])).size).toBe(5);
    expect(c.mostInFlight()).toBeGreaterThan(1);
  });

  it('concurrent service creates get distinct VIPs, and one published port goes to one service only', async () => {
    const c = slowCluster(1);
    await createNetwork(c.ctx, overlay('front'));
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => createService(c.ctx, serviceSpec(`s${i}`) as never)));
    const vips = vipsOf(c.store);
    expect(vips).toHaveLength(6);
    expect(new Set(vips).size).toBe(6);

    await createNetwork(c.ctx, { ...overlay('ingress'), Ingress: true } as never);
    const ports = { EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] } };
    const results = await Promise.allSettled([createService(c.ctx, serviceSpec('p1', ports) as never), createService(c.ctx, serviceSpec('p2', ports) as never)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/port '8080' is already in use by service 'p[12]'/);
    // Nothing stays reserved once the commits are done.
    expect(c.ctx.reservations.ports()).toEqual([]);
    expect(c.ctx.reservations.addresses(c.store.list<NetworkObject>('network')[0]!.ID)).toEqual([]);
  });

  it('the orchestrator\'s pipelined rounds and a service created meanwhile never share an address', async () => {
    const c = slowCluster(5);
    await createNetwork(c.ctx, { ...overlay('front'), IPAM: { Config: [{ Subnet: '10.9.0.0/22' }] } } as never);
    const front = c.store.list<NetworkObject>('network')[0]!;
    const big = service('big', { replicas: 650 });
    big.Spec.TaskTemplate.Networks = [{ Target: front.ID }];
    const orchestration = new Orchestration(c.ctx);
    orchestration.start();
    try {
      c.apply([{ action: 'create', table: 'service', object: big as unknown as StoredObject }]);
      // Created while the rounds run: its VIP comes from the same pool.
      await new Promise((r) => setTimeout(r, 12));
      await createService(c.ctx, serviceSpec('late', { TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Networks: [{ Target: front.ID }] } }) as never);
      while (c.store.list<Task & StoredObject>('task').filter((t) => t.NetworksAttachments).length < 651 || c.busy()) await new Promise((r) => setTimeout(r, 10));
    } finally {
      orchestration.stop();
    }
    const taskAddresses = c.store.list<Task & StoredObject>('task').flatMap((t) => (t.NetworksAttachments ?? []).flatMap((a) => a.Addresses));
    const nodeAddresses = c.store.list<StoredObject & { attachments?: { Addresses: string[] }[] }>('node').flatMap((n) => (n.attachments ?? []).flatMap((a) => a.Addresses));
    const all = [...taskAddresses, ...nodeAddresses, ...vipsOf(c.store)];
    expect(taskAddresses.length).toBe(651);
    expect(new Set(all).size).toBe(all.length);
    expect(c.mostInFlight()).toBeGreaterThan(1);
  });
});
