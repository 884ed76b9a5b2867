// Swarm networks: addresses and subnets (first fit from the pool, serial addresses, node
// endpoints), Docker's create checks and texts, list filters and lookups — then a real cluster
// through the API and the real docker CLI: the networks a node lists (checked against what a real
// swarm answered), create/inspect/rm, services with VIPs and task addresses, the verbose view,
// a worker's view, and removal refused while a network is in use.

import { DockerApiError, GO_NETWORK_CREATE_REQUEST, readJsonBody, type Network, type NetworkCreateRequest, type Service, type Task } from '@swarmlab/api';
import type { Lab } from '@swarmlab/launcher';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIngressNetwork } from '../src/daemon/defaults.js';
import { resolveNetwork } from '../src/engine/routes-networks.js';
import { filterNetworks, parseNetworkFilters } from '../src/engine/network-filters.js';
import { firstFitSubnet, NetworkAllocation, placeNetwork, type NodeWithAttachments } from '../src/manager/allocator/network.js';
import { formatAddr, formatPrefix, overlaps, parseAddr, parsePrefix } from '../src/manager/allocator/ip.js';
import { checkOnDaemon, checkOnManager, validateIpam } from '../src/manager/controlapi/network-validation.js';
import { clusterView, toSwarmNetwork, type NetworkObject } from '../src/manager/controlapi/network-view.js';
import { MemoryStore, type Change, type StoredObject } from '../src/store/memory.js';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../api/test/fixtures/real-swarm/${name}`, import.meta.url), 'utf8')) as T;

const T0 = '2026-11-26T09:46:17.935151534Z';

function thrown(fn: () => unknown): { statusCode: number; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { statusCode: number; message: string };
  }
  throw new Error('expected an error');
}

// ---- pure parts ------------------------------------------------------------------------------------

describe('addresses and prefixes', () => {
  it('reads IPv4 and IPv6 as Go netip does, strictly', () => {
    expect(formatPrefix(parsePrefix('10.0.1.0/24')!)).toBe('10.0.1.0/24');
    expect(formatAddr(parseAddr('fd00:0:0::1')!)).toBe('fd00::1');
    expect(formatAddr(parseAddr('::ffff:10.0.0.1')!)).toBe('::ffff:a00:1');
    for (const bad of ['10.0.0.0/33', '010.0.0.0/8', '10.0.0.0/08', '10.0.0/24', '10.0.0.0', 'fd00::/129', 'x/8', '1.2.3.256/32']) {
      expect(parsePrefix(bad), bad).toBeUndefined();
    }
    expect(overlaps(parsePrefix('10.0.0.0/8')!, parsePrefix('10.0.5.0/24')!)).toBe(true);
    expect(overlaps(parsePrefix('10.0.4.0/24')!, parsePrefix('10.0.5.0/24')!)).toBe(false);
  });

  it('gives the lowest free subnet of the pool, skipping taken blocks of any size', () => {
    const pool = [parsePrefix('10.0.0.0/8')!];
    const taken = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/23'].map((p) => parsePrefix(p)!);
    expect(formatPrefix(firstFitSubnet(pool, 24, taken)!)).toBe('10.0.4.0/24');
    expect(formatPrefix(firstFitSubnet([parsePrefix('10.20.0.0/16')!], 26, [parsePrefix('10.20.0.0/26')!])!)).toBe('10.20.0.64/26');
    expect(firstFitSubnet([parsePrefix('10.9.0.0/24')!], 24, [parsePrefix('10.9.0.0/24')!])).toBeUndefined();
  });
});

/** A store holding a cluster, the ingress network and what a test adds. */
function storeWith(objects: { table: Change['table']; object: StoredObject }[]): MemoryStore {
  const store = new MemoryStore();
  const ingress = defaultIngressNetwork(T0, null, 24);
  const changes: Change[] = [
    { action: 'create', table: 'cluster', object: { ID: 'c', Version: { Index: 0 }, CreatedAt: T0, UpdatedAt: T0, DefaultAddrPool: null, SubnetSize: 24 } },
    { action: 'create', table: 'network', object: { ...ingress, ID: 'ingressid' } },
    ...objects.map((o) => ({ action: 'create' as const, table: o.table, object: o.object })),
  ];
  expect(store.apply(1, { time: T0, changes })).toBeUndefined();
  return store;
}

function overlay(id: string, name: string, others: NetworkObject[], ipam?: NetworkObject['Spec']['IPAMOptions']): NetworkObject {
  const spec: NetworkObject['Spec'] = { Name: name, Labels: {}, DriverConfiguration: { Name: 'overlay' }, Scope: 'swarm', ...(ipam ? { IPAMOptions: ipam } : {}) };
  return { ID: id, Version: { Index: 1 }, CreatedAt: T0, UpdatedAt: T0, Spec: spec, ...placeNetwork(spec, others, { DefaultAddrPool: null, SubnetSize: 24 }) };
}

function task(id: string, serviceId: string, network: NetworkObject, address: string, state: string, nodeId?: string): StoredObject {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Spec: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: network.ID }] },
    ServiceID: serviceId,
    ...(nodeId ? { NodeID: nodeId } : {}),
    Status: { State: state, Timestamp: T0 },
    DesiredState: 'running',
    NetworksAttachments: [{ Network: toSwarmNetwork(network), Addresses: [address] }],
  };
}

describe('placing networks and handing out addresses', () => {
  const ingress = { ...defaultIngressNetwork(T0, null, 24), ID: 'ingressid' } as unknown as NetworkObject;

  it('places a network at the first free subnet with the next VXLAN ID, or keeps it unallocated', () => {
    const mynet = overlay('n1', 'mynet', [ingress]);
    expect(mynet.IPAM).toEqual({ Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] });
    expect(mynet.DriverState).toEqual({ Name: 'overlay', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } });
    const given = overlay('n2', 'given', [ingress, mynet], { Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.2.0/24', Range: '10.0.2.128/25' }] });
    expect(given.IPAM!.Configs).toEqual([{ Subnet: '10.0.2.0/24', Range: '10.0.2.128/25', Gateway: '10.0.2.1' }]);
    expect(overlay('n3', 'next', [ingress, mynet, given]).IPAM!.Configs![0].Subnet).toBe('10.0.3.0/24');
    // A subnet that overlaps an allocated one leaves the network unallocated (SwarmKit retries later).
    const clash = overlay('n4', 'clash', [ingress, mynet], { Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.1.0/25' }] });
    expect(clash.IPAM).toBeUndefined();
    expect(clusterView(toSwarmNetwork(clash))).toMatchObject({ Driver: '', IPAM: { Driver: '', Options: null, Config: null } });
  });

  it('hands out addresses serially, skipping the gateway and what is held, and reuses ended ones only after wrapping', () => {
    const mynet = overlay('n1', 'mynet', [ingress]);
    const store = storeWith([
      { table: 'network', object: mynet },
      { table: 'task', object: task('t1', 's1', mynet, '10.0.1.3/24', 'shutdown') },
      { table: 'task', object: task('t2', 's1', mynet, '10.0.1.4/24', 'running') },
    ]);
    const alloc = new NetworkAllocation(store);
    // After the highest ever handed out (.4), not the freed .3.
    expect(alloc.vip(mynet)).toBe('10.0.1.5/24');
    expect(alloc.attach(mynet)!.Addresses).toEqual(['10.0.1.6/24']);
    const ranged = overlay('n2', 'ranged', [ingress, mynet], { Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.2.0/24', Range: '10.0.2.252/30' }] });
    const small = new NetworkAllocation(storeWith([{ table: 'network', object: ranged }]));
    // The range ends at the subnet's broadcast address (.255): .252 to .254 are all there is.
    expect([small.vip(ranged), small.vip(ranged), small.vip(ranged)]).toEqual(['10.0.2.252/24', '10.0.2.253/24', '10.0.2.254/24']);
    expect(() => small.vip(ranged)).toThrow(/no available addresses on this pool/);
    expect(small.attach(ranged)).toBeNull();
  });

  it('gives every node an ingress endpoint and one on each network its tasks use, and drops unused ones', () => {
    const mynet = overlay('n1', 'mynet', [ingress]);
    const node = (id: string): StoredObject => ({ ID: id, Version: { Index: 1 }, CreatedAt: T0, UpdatedAt: T0, Spec: {}, Description: { Hostname: id }, Status: { State: 'ready', Addr: '127.0.0.9' } });
    const store = storeWith([
      { table: 'network', object: mynet },
      { table: 'node', object: node('a') },
      { table: 'node', object: node('b') },
      { table: 'task', object: task('t1', 's1', mynet, '10.0.1.2/24', 'running', 'a') },
    ]);
    const changes = new NetworkAllocation(store).nodeChanges();
    const byNode = Object.fromEntries(changes.map((c) => [(c as unknown as { id: string }).id, (c as unknown as { set: { attachments: NodeWithAttachments['attachments'] } }).set.attachments!]));
    expect(byNode.a.map((x) => [x.Network.Spec.Name, x.Addresses])).toEqual([['ingress', ['10.0.0.2/24']], ['mynet', ['10.0.1.3/24']]]);
    expect(byNode.b.map((x) => [x.Network.Spec.Name, x.Addresses])).toEqual([['ingress', ['10.0.0.3/24']]]);
    store.apply(2, { time: T0, changes });
    expect(new NetworkAllocation(store).nodeChanges()).toEqual([]);
    // The task ends: node a keeps only its ingress endpoint.
    store.apply(3, { time: T0, changes: [{ action: 'patch', table: 'task', id: 't1', set: { 'Status.State': 'complete' } }] });
    const after = new NetworkAllocation(store).nodeChanges();
    expect(after).toHaveLength(1);
    expect((after[0] as unknown as { set: { attachments: { Network: { Spec: { Name: string } } }[] } }).set.attachments.map((x) => x.Network.Spec.Name)).toEqual(['ingress']);
  });
});

describe('network create checks', () => {
  const req = (r: Record<string, unknown>) => ({ Driver: 'overlay', Name: 'n', ...r }) as NetworkCreateRequest;
  const decode = (r: Record<string, unknown>) => {
    const body = Buffer.from(JSON.stringify(req(r)));
    return readJsonBody({ contentType: 'application/json', contentLength: body.length, body }, GO_NETWORK_CREATE_REQUEST);
  };

  it("refuses bad IPAM with the daemon's texts", () => {
    expect(thrown(() => validateIpam({ Config: [{ Subnet: '10.0.0.0/33' }] } as never, false))).toMatchObject({
      statusCode: 400,
      message: 'invalid network config:\ninvalid subnet 10.0.0.0/33: invalid CIDR block notation',
    });
    expect(thrown(() => validateIpam({ Config: [{ Subnet: '10.0.0.5/24', Gateway: '10.1.0.1' }] } as never, false)).message).toBe(
      'invalid network config:\n* invalid subnet 10.0.0.5/24: it should be 10.0.0.0/24\n* invalid gateway 10.1.0.1: parent subnet 10.0.0.5/24 doesn\'t contain this address',
    );
    expect(thrown(() => validateIpam({ Config: [{ Subnet: '10.31.0.0/24', IPRange: '10.32.0.0/25' }] } as never, false)).message).toBe(
      "invalid network config:\ninvalid ip-range 10.32.0.0/25: parent subnet 10.31.0.0/24 doesn't contain ip-range",
    );
    // IPv6 subnets are only checked with IPv6 enabled.
    expect(() => validateIpam({ Config: [{ Subnet: 'fd00::1/64' }] } as never, false)).not.toThrow();
  });

  it('answers as the receiving daemon does, in its order', () => {
    const manager = { inSwarm: true, manager: true };
    const worker = { inSwarm: true, manager: false };
    expect(thrown(() => checkOnDaemon(req({ Name: 'bridge' }), manager, []))).toMatchObject({ statusCode: 403, message: 'operation is not permitted on predefined bridge network ' });
    expect(thrown(() => checkOnDaemon(req({}), worker, []))).toMatchObject({ statusCode: 403, message: expect.stringMatching(/^This node is not a swarm manager\. Use "docker swarm init"/) });
    expect(thrown(() => checkOnDaemon(req({ Driver: 'foo' }), manager, []))).toMatchObject({ statusCode: 404, message: 'plugin "foo" not found' });
    expect(thrown(() => checkOnDaemon(req({ Name: 'docker_gwbridge' }), manager, ['docker_gwbridge']))).toMatchObject({ statusCode: 409, message: 'network with name docker_gwbridge already exists' });
    expect(thrown(() => checkOnDaemon(req({ Scope: 'local' }), manager, []))).toMatchObject({ statusCode: 403, message: 'cannot downgrade network scope for overlay networks' });
    expect(thrown(() => checkOnDaemon(req({ Driver: 'bridge', Scope: 'swarm' }), worker, []))).toMatchObject({ statusCode: 403, message: expect.stringMatching(/^Cannot create a multi-host network from a worker node/) });
    expect(thrown(() => checkOnDaemon(req({ Driver: 'bridge' }), manager, [])).statusCode).toBe(501);
    expect(() => checkOnDaemon(req({}), manager, [])).not.toThrow();
  });

  it("applies SwarmKit's rules and Go's JSON types", () => {
    expect(thrown(() => checkOnManager(req({ Ingress: true, Attachable: true }))).message).toBe('rpc error: code = InvalidArgument desc = ingress network cannot be attachable');
    expect(thrown(() => checkOnManager(req({ Name: 'my.net' }))).message).toBe('rpc error: code = InvalidArgument desc = name must be valid as a DNS name component');
    expect(thrown(() => checkOnManager(req({ Name: 'x'.repeat(64) }))).message).toBe('rpc error: code = InvalidArgument desc = name must be 63 characters or fewer');
    expect(thrown(() => checkOnManager(req({ Labels: { 'com.docker.swarm.predefined': 'true' } }))).statusCode).toBe(403);
    expect(thrown(() => checkOnManager(req({ IPAM: { Driver: 'dhcp' } }))).message).toBe('rpc error: code = InvalidArgument desc = error during lookup of plugin dhcp');
    expect(thrown(() => decode({ Attachable: 'yes' }))).toMatchObject({ statusCode: 400, message: 'invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Attachable of type bool' });
    expect(thrown(() => decode({ IPAM: { Config: [{ Subnet: 24 }] } })).message).toBe('invalid JSON: json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string');
  });
});

describe('listing filters and lookups', () => {
  const net = (Name: string, Id: string, extra: Partial<Network> = {}): Network => ({ ...clusterView(toSwarmNetwork(overlay(Id, Name, []))), ...extra });
  const list = [
    net('bridge', 'aaa111', { Scope: 'local', Driver: 'bridge' }),
    net('front', 'bbb222', { Labels: { tier: 'web' } }),
    net('myfront', 'bbb333'),
  ];
  const names = (l: Network[]) => l.map((n) => n.Name);

  it('matches names as regexps (and as prefixes on the managers), drivers and scopes exactly', () => {
    expect(names(filterNetworks(list, parseNetworkFilters('{"name":{"front":true}}')))).toEqual(['front', 'myfront']);
    expect(names(filterNetworks(list, parseNetworkFilters('{"name":["front"]}'), true))).toEqual(['front']);
    expect(names(filterNetworks(list, parseNetworkFilters('{"driver":{"overlay":true},"scope":{"swarm":true}}')))).toEqual(['front', 'myfront']);
    expect(names(filterNetworks(list, parseNetworkFilters('{"label":["tier=web"]}')))).toEqual(['front']);
    expect(names(filterNetworks(list, parseNetworkFilters('{"type":{"builtin":true}}')))).toEqual(['bridge']);
    expect(names(filterNetworks(list, parseNetworkFilters('{"dangling":["true"]}')))).toEqual(['front', 'myfront']);
    expect(thrown(() => parseNetworkFilters('{"color":["red"]}'))).toMatchObject({ statusCode: 400, message: "invalid filter 'color'" });
    expect(thrown(() => filterNetworks(list, parseNetworkFilters('{"type":["odd"]}'))).message).toBe("invalid filter: 'type'='odd'");
  });

  it('finds one network by ID, name or prefix, the engine first, and says when a reference is ambiguous', () => {
    const local = [list[0]];
    expect(resolveNetwork('bridge', local, list.slice(1)).Id).toBe('aaa111');
    expect(resolveNetwork('myfront', local, list.slice(1)).Id).toBe('bbb333');
    expect(resolveNetwork('bbb2', local, list.slice(1)).Name).toBe('front');
    expect(thrown(() => resolveNetwork('bbb', local, list.slice(1)))).toMatchObject({ statusCode: 400, message: '2 matches found based on ID prefix: network bbb is ambiguous' });
    expect(thrown(() => resolveNetwork('nope', local, list.slice(1)))).toMatchObject({ statusCode: 404, message: 'network nope not found' });
    expect(thrown(() => resolveNetwork('bridge', local, list.slice(1), 'swarm')).statusCode).toBe(404);
  });
});

// ---- a real cluster ----------------------------------------------------------------------------------

async function apiError(p: Promise<unknown>): Promise<DockerApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DockerApiError) return e;
    throw e;
  }
  throw new Error('expected the daemon to refuse');
}

/** The reference's networks without what differs from run to run (and EnableIPv4, which 20.10 lacks). */
function comparable(n: Network): Record<string, unknown> {
  const { Id: _id, Created: _c, EnableIPv4: _v4, ...rest } = n;
  return rest;
}

describe('networks on a cluster', () => {
  let lab: Lab;
  let m1: string;
  let w1: string;

  beforeAll(async () => {
    lab = await startLab({ name: 'networks', managers: 1, workers: 1 });
    m1 = lab.node('manager1').spec.addr;
    w1 = lab.node('worker1').spec.addr;
  }, 60_000);
  afterAll(stopAllLabs, 60_000);

  it('lists what a real node lists: its local networks and the swarm ones', async () => {
    const real = fixture<Network[]>('api-networks.json');
    const listed = await lab.client('manager1').networkList();
    expect(listed.map((n) => n.Name)).toEqual(['ingress', 'none', 'host', 'bridge', 'docker_gwbridge']);
    for (const name of ['ingress', 'none', 'host', 'bridge', 'docker_gwbridge']) {
      const ours = listed.find((n) => n.Name === name)!;
      expect(Object.keys(ours), name).toEqual(['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels']);
      expect(comparable(ours), name).toEqual(comparable(real.find((n) => n.Name === name)!));
    }
    expect(listed.find((n) => n.Name === 'ingress')!.Id).toMatch(/^[0-9a-z]{25}$/);
    expect(listed.find((n) => n.Name === 'bridge')!.Id).toMatch(/^[0-9a-f]{64}$/);
    // A worker lists its own networks and ingress (it has an endpoint there), as a real worker does.
    const onWorker = await lab.client('worker1').networkList();
    expect(onWorker.map((n) => n.Name).sort()).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none']);
    // Inspect shows the engine's instantiated view: the ingress sandbox on both networks.
    for (const name of ['ingress', 'docker_gwbridge']) {
      const ours = await lab.client('manager1').networkInspect(name);
      const reference = fixture<Network[]>(`network-inspect-${name}.json`)[0];
      const endpoints = (n: Network) => Object.fromEntries(Object.entries(n.Containers ?? {}).map(([k, c]) => [k, { ...c, EndpointID: 'x' }]));
      // The reference swarm had one node, this one has two: compare the peers' shape.
      const peers = (n: Network) => (n.Peers ? [...new Set(n.Peers.map((p) => Object.keys(p).join()))] : undefined);
      expect({ ...comparable(ours), Containers: endpoints(ours), Peers: peers(ours) }, name).toEqual({ ...comparable(reference), Containers: endpoints(reference), Peers: peers(reference) });
    }
    const ls = await docker(m1, ['network', 'ls']);
    if (ls) expect(ls.stdout).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n[0-9a-f]{12}\s+bridge\s+bridge\s+local\n[0-9a-f]{12}\s+docker_gwbridge\s+bridge\s+local\n[0-9a-f]{12}\s+host\s+host\s+local\n[0-9a-z]{12}\s+ingress\s+overlay\s+swarm\n[0-9a-f]{12}\s+none\s+null\s+local\n$/);
  });

  it('creates an overlay network as a real manager does, and refuses what Docker refuses', async () => {
    const api = lab.client('manager1');
    const cli = await docker(m1, ['network', 'create', '-d', 'overlay', '--attachable', 'mynet']);
    const id = cli ? cli.stdout.trim() : (await api.networkCreate({ Name: 'mynet', Driver: 'overlay', Attachable: true, IPAM: { Driver: 'default', Options: {}, Config: [] }, Options: {}, Labels: {} })).Id;
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    const mynet = await api.networkInspect('mynet');
    expect(comparable(mynet)).toEqual(comparable(fixture<Network[]>('network-inspect-mynet.json')[0]));
    expect(mynet.Id).toBe(id);

    const dup = await apiError(api.networkCreate({ Name: 'mynet', Driver: 'overlay' }));
    expect([dup.statusCode, dup.message]).toEqual([409, 'network with name mynet already exists']);
    const onWorker = await apiError(lab.client('worker1').networkCreate({ Name: 'wnet', Driver: 'overlay' }));
    expect(onWorker.statusCode).toBe(403);
    expect(onWorker.message).toMatch(/^This node is not a swarm manager\. Use "docker swarm init" or "docker swarm join"/);
    const bad = await docker(m1, ['network', 'create', '-d', 'overlay', '--subnet', '10.0.0.0/33', 'x']);
    if (bad) expect(bad.stderr).toBe('Error response from daemon: invalid network config:\ninvalid subnet 10.0.0.0/33: invalid CIDR block notation\n');
    const ingress2 = await apiError(api.networkCreate({ Name: 'ingress2', Driver: 'overlay', Ingress: true }));
    expect(ingress2.statusCode).toBe(409);
    expect(ingress2.message).toMatch(/^rpc error: code = AlreadyExists desc = ingress network \([0-9a-z]{25}\) is already present$/);
    expect((await apiError(api.networkInspect('nope'))).message).toBe('network nope not found');
  });

  it('keeps given subnets, gateways, ranges, options and labels, and first-fits around them', async () => {
    const api = lab.client('manager1');
    const cli = await docker(m1, ['network', 'create', '-d', 'overlay', '--internal', '--label', 'tier=back', '--opt', 'encrypted', '--subnet', '10.0.2.0/24', '--gateway', '10.0.2.254', '--ip-range', '10.0.2.128/25', 'backnet']);
    if (!cli) {
      await api.networkCreate({ Name: 'backnet', Driver: 'overlay', Internal: true, Labels: { tier: 'back' }, Options: { encrypted: '' }, IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.2.0/24', Gateway: '10.0.2.254', IPRange: '10.0.2.128/25' }] } });
    }
    const back = await api.networkInspect('backnet');
    expect(back).toMatchObject({
      Internal: true,
      IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.2.0/24', IPRange: '10.0.2.128/25', Gateway: '10.0.2.254' }] },
      Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4098', encrypted: '' },
      Labels: { tier: 'back' },
    });
    await api.networkCreate({ Name: 'third', Driver: 'overlay' });
    expect((await api.networkInspect('third')).IPAM.Config).toEqual([{ Subnet: '10.0.3.0/24', Gateway: '10.0.3.1' }]);

    const swarmOnly = await api.networkList({ driver: ['overlay'], scope: ['swarm'] });
    expect(swarmOnly.map((n) => n.Name).sort()).toEqual(['backnet', 'ingress', 'mynet', 'third']);
    const custom = await lab.client('manager1').networkList({ type: ['custom'], label: ['tier'] });
    expect(custom.map((n) => n.Name)).toEqual(['backnet']);
    const ls = await docker(m1, ['network', 'ls', '--filter', 'driver=overlay', '--filter', 'scope=swarm', '--format', '{{.Name}}']);
    if (ls) expect(ls.stdout.trim().split('\n').sort()).toEqual(['backnet', 'ingress', 'mynet', 'third']);
  });

  it('gives services a VIP per network and their tasks addresses in the subnet (none in dnsrr)', async () => {
    const api = lab.client('manager1');
    const mynet = await api.networkInspect('mynet');
    // By name, as stack deploy sends it: the daemon resolves it to the ID.
    await api.serviceCreate({ Name: 'app', TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'mynet' }] }, Mode: { Replicated: { Replicas: 2 } } });
    await api.serviceCreate({
      Name: 'rr',
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '3600'] }, Networks: [{ Target: mynet.Id }] },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
    const running = (svc: string) => async () => {
      const tasks = await api.taskList({ service: [svc], 'desired-state': ['running'] });
      return tasks.filter((t) => t.Status.State === 'running');
    };
    const tasks = await lab.waitFor(async () => ((await running('app')()).length === 2 ? running('app')() : undefined), 20_000, 'app running');
    const app = (await api.serviceInspect('app')) as Service;
    expect(app.Spec.TaskTemplate.Networks).toEqual([{ Target: mynet.Id }]);
    expect(app.Endpoint?.VirtualIPs).toEqual([{ NetworkID: mynet.Id, Addr: '10.0.1.2/24' }]);
    const addresses = tasks.map((t: Task) => {
      expect(t.NetworksAttachments).toHaveLength(1);
      expect(t.NetworksAttachments![0].Network).toMatchObject({ ID: mynet.Id, Spec: { Name: 'mynet', Labels: {}, DriverConfiguration: { Name: 'overlay' }, Attachable: true, Scope: 'swarm' }, DriverState: { Name: 'overlay' } });
      return t.NetworksAttachments![0].Addresses[0];
    });
    expect(new Set(addresses).size).toBe(2);
    for (const a of addresses) expect(a).toMatch(/^10\.0\.1\.([3-9]|\d\d+)\/24$/);
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(2);

    const [rrTask] = await lab.waitFor(async () => ((await running('rr')()).length === 1 ? running('rr')() : undefined), 20_000, 'rr running');
    expect(((await api.serviceInspect('rr')) as Service).Endpoint?.VirtualIPs).toBeUndefined();
    expect(rrTask.NetworksAttachments![0].Addresses[0]).toMatch(/^10\.0\.1\.\d+\/24$/);

    // --network-add: the VIP on mynet stays, the new one comes from backnet's IP range; tasks roll onto both.
    const current = (await api.serviceInspect('app')) as Service;
    const back = await api.networkInspect('backnet');
    await api.serviceUpdate(current.ID, current.Version.Index, {
      ...current.Spec,
      TaskTemplate: { ...current.Spec.TaskTemplate, Networks: [{ Target: mynet.Id }, { Target: 'backnet' }] },
    });
    expect(((await api.serviceInspect('app')) as Service).Endpoint?.VirtualIPs).toEqual([
      { NetworkID: mynet.Id, Addr: '10.0.1.2/24' },
      { NetworkID: back.Id, Addr: '10.0.2.128/24' },
    ]);
    const rolled = await lab.waitFor(async () => {
      const now = await running('app')();
      return now.length === 2 && now.every((t) => t.NetworksAttachments?.length === 2) ? now : undefined;
    }, 30_000, 'app rolled onto both networks');
    for (const t of rolled) expect(t.NetworksAttachments![1].Addresses[0]).toMatch(/^10\.0\.2\.(129|1[3-9]\d|2[0-4]\d|25[0-3])\/24$/);

    const unknown = await apiError(api.serviceCreate({ Name: 'lost', TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'nope' }] } }));
    expect([unknown.statusCode, unknown.message]).toEqual([404, 'network nope not found']);
    const explicitIngress = await apiError(api.serviceCreate({ Name: 'ing', TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'ingress' }] } }));
    expect(explicitIngress.message).toBe('rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network "ingress"');
  }, 60_000);

  it("shows a network's containers, peers and services where it is instantiated", async () => {
    const api = lab.client('manager1');
    const mynet = await lab.waitFor(async () => {
      const n = await api.networkInspect('mynet', { verbose: true });
      return n.Services?.app?.Tasks.length === 2 && n.Peers?.length === 2 ? n : undefined;
    }, 20_000, 'both nodes on mynet');
    expect(Object.keys(mynet)).toEqual(['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels', 'Peers', 'Services']);
    expect(mynet.Labels).toEqual({});
    expect(mynet.Services!.app).toMatchObject({ VIP: '10.0.1.2', Ports: [], LocalLBIndex: expect.any(Number) });
    expect(mynet.Services!.rr.VIP).toBe('<nil>');
    // Peers are named as libnetwork names gossip members: 12 hex characters, one per node.
    const nodeAddrs = (await api.nodeList()).map((n) => n.Status.Addr).sort();
    expect(mynet.Peers!.map((p) => p.IP).sort()).toEqual(nodeAddrs);
    for (const p of mynet.Peers!) expect(p.Name).toMatch(/^[0-9a-f]{12}$/);
    expect(mynet.Containers!['lb-mynet']).toMatchObject({ Name: 'mynet-endpoint', IPv4Address: expect.stringMatching(/^10\.0\.1\.\d+\/24$/) });
    // Every local container's endpoint is one of the service's task endpoints.
    const endpoints = new Set(Object.values(mynet.Services!).flatMap((s) => s.Tasks.map((t) => t.EndpointID)));
    for (const [key, c] of Object.entries(mynet.Containers!)) if (key !== 'lb-mynet') expect(endpoints.has(c.EndpointID)).toBe(true);
    // Without verbose: no Services; on the worker, its own view of the network.
    expect((await api.networkInspect('mynet')).Services).toBeUndefined();
    const fromWorker = await lab.waitFor(async () => {
      const n = await lab.client('worker1').networkInspect('mynet').catch(() => undefined);
      return n && Object.keys(n.Containers ?? {}).length >= 2 ? n : undefined;
    }, 20_000, 'mynet instantiated on the worker');
    expect(fromWorker.Containers!['lb-mynet'].Name).toBe('mynet-endpoint');
    expect((await lab.client('worker1').networkList()).map((n) => n.Name)).toContain('mynet');
    const ingress = await api.networkInspect('ingress');
    expect(ingress.Containers!['ingress-sbox']).toMatchObject({ Name: 'ingress-endpoint', IPv4Address: '10.0.0.2/24', MacAddress: '02:42:0a:00:00:02' });
  }, 60_000);

  it('refuses to remove a network in use, and ingress while a service publishes through it', async () => {
    const api = lab.client('manager1');
    const mynet = await api.networkInspect('mynet');
    const app = await api.serviceInspect('app');
    const rr = await api.serviceInspect('rr');
    const inUse = await apiError(api.networkRemove('mynet'));
    expect(inUse.statusCode).toBe(400);
    expect([`rpc error: code = FailedPrecondition desc = network ${mynet.Id} is in use by service ${app.ID}`, `rpc error: code = FailedPrecondition desc = network ${mynet.Id} is in use by service ${rr.ID}`]).toContain(inUse.message);

    await api.serviceCreate({ Name: 'pub', TaskTemplate: { ContainerSpec: { Image: 'nginx' } }, EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] } });
    const pub = await api.serviceInspect('pub');
    const ingressRm = await apiError(api.networkRemove('ingress'));
    expect([ingressRm.statusCode, ingressRm.message]).toEqual([400, `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${pub.ID} depends on it`]);

    const fromWorker = await apiError(lab.client('worker1').networkRemove('ingress'));
    expect(fromWorker.statusCode).toBe(503);
    expect((await apiError(api.networkRemove('bridge'))).message).toBe('bridge is a pre-defined network and cannot be removed');

    for (const s of ['app', 'rr', 'pub']) await api.serviceRemove(s);
    const rm = await docker(m1, ['network', 'rm', 'mynet', 'third']);
    if (rm) expect(rm.stdout).toBe('mynet\nthird\n');
    else for (const n of ['mynet', 'third']) await api.networkRemove(n);
    expect((await apiError(api.networkInspect('mynet'))).statusCode).toBe(404);
    // The freed subnet is first fit again.
    await api.networkCreate({ Name: 'again', Driver: 'overlay' });
    expect((await api.networkInspect('again')).IPAM.Config).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    expect(w1).toBeTruthy();
  }, 60_000);
});
