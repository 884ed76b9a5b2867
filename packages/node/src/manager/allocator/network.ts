// The allocator's network part (SwarmKit manager/allocator/network.go with libnetwork's
// cnmallocator and default IPAM): a network gets its subnets when it is created — the lowest
// subnet of the cluster's default address pool that overlaps nothing allocated (first fit), or
// the ones the user gave — a gateway (the first address unless given) and a VXLAN ID (serially
// from 4096). Addresses inside a subnet go out serially after the last one handed out, as the
// swarm IPAM does, to service VIPs, to tasks (NetworksAttachments, one address per subnet) and to
// nodes (their endpoint on ingress, and one on each network their tasks use). A task's addresses
// are free again once it ends; a network that cannot be placed (its subnet overlaps another,
// the pool is exhausted) stays unallocated and is tried again later, as SwarmKit does.

import { taskStateRank, type Task } from '@swarmlab/api';
import { grpcError } from '../../errors.js';
import type { Change, MemoryStore, StoredObject } from '../../store/memory.js';
import type { ClusterObject, ServiceObject, TaskObject } from '../objects.js';
import { isAllocated, toSwarmNetwork, type Attachment, type NetworkObject, type NetworkSpecStored, type StoredIpamConfig } from '../controlapi/network-view.js';
import type { Reservations, Reserved } from './reservations.js';
import { addrOfCidr, formatAddr, formatPrefix, masked, nth, overlaps, parseAddr, parsePrefix, size, type Addr, type Prefix } from './ip.js';

export const VXLAN_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';
const FIRST_VXLAN_ID = 4096;
const DEFAULT_POOL = '10.0.0.0/8';

/** A node as the store keeps it, with SwarmKit's Node.Attachments (never shown by the API). */
export type NodeWithAttachments = StoredObject & { attachments?: Attachment[] };

// ---- subnets --------------------------------------------------------------------------------

function allocatedPrefixes(networks: NetworkObject[]): Prefix[] {
  const out: Prefix[] = [];
  for (const n of networks) for (const c of n.IPAM?.Configs ?? []) {
    const p = parsePrefix(c.Subnet);
    if (p) out.push(p);
  }
  return out;
}

/** The lowest `subnetSize` block of the pools that overlaps none of `taken`. */
export function firstFitSubnet(pools: Prefix[], subnetSize: number, taken: Prefix[]): Prefix | undefined {
  for (const pool of pools) {
    if (subnetSize < pool.bits || pool.addr.family !== 4) continue;
    const step = 1n << BigInt(32 - subnetSize);
    const end = masked(pool).addr.value + size(pool);
    for (let v = masked(pool).addr.value; v < end; ) {
      const candidate: Prefix = { addr: { family: 4, value: v }, bits: subnetSize };
      const clash = taken.find((t) => overlaps(t, candidate));
      if (!clash) return candidate;
      // Skip past the whole block in the way (it may be larger than one subnet).
      const clashEnd = masked(clash).addr.value + size(clash);
      v = clashEnd > v + step ? clashEnd + ((step - (clashEnd % step)) % step) : v + step;
    }
  }
  return undefined;
}

function vxlanIds(n: NetworkObject): number[] {
  const list = n.DriverState?.Options?.[VXLAN_OPTION];
  return list ? list.split(',').map(Number).filter(Number.isInteger) : [];
}

export function defaultPools(cluster: Pick<ClusterObject, 'DefaultAddrPool'> | undefined): Prefix[] {
  const pools = cluster?.DefaultAddrPool && cluster.DefaultAddrPool.length > 0 ? cluster.DefaultAddrPool : [DEFAULT_POOL];
  return pools.map(parsePrefix).filter((p): p is Prefix => p !== undefined);
}

/**
 * Places a network: its IPAM configs (given or first fit) and driver state, or undefined when it
 * cannot be placed now (SwarmKit leaves such a network unallocated and retries). `held`: subnets
 * and VXLAN IDs handed out to networks not in the store yet.
 */
export function placeNetwork(
  spec: NetworkSpecStored,
  others: NetworkObject[],
  cluster: Pick<ClusterObject, 'DefaultAddrPool' | 'SubnetSize'> | undefined,
  held: { cidr: string; vxlanIds: number[] }[] = [],
): Pick<NetworkObject, 'DriverState' | 'IPAM'> | undefined {
  const taken = [...allocatedPrefixes(others), ...held.map((h) => parsePrefix(h.cidr)).filter((p): p is Prefix => p !== undefined)];
  const wanted = spec.IPAMOptions?.Configs ?? [];
  const configs: StoredIpamConfig[] = [];
  for (const c of wanted) {
    const p = parsePrefix(c.Subnet);
    if (!p) return undefined;
    if (taken.some((t) => overlaps(t, p))) return undefined;
    taken.push(p);
    configs.push({ Subnet: formatPrefix(masked(p)), ...(c.Range ? { Range: c.Range } : {}), Gateway: c.Gateway || formatAddr(nth(p, 1n)) });
  }
  if (!configs.some((c) => parsePrefix(c.Subnet)?.addr.family === 4)) {
    const subnet = firstFitSubnet(defaultPools(cluster), cluster?.SubnetSize || 24, taken);
    if (!subnet) return undefined;
    configs.unshift({ Subnet: formatPrefix(subnet), Gateway: formatAddr(nth(subnet, 1n)) });
  }
  const driverName = spec.DriverConfiguration?.Name || 'overlay';
  const options: Record<string, string> = { ...(spec.DriverConfiguration?.Options ?? {}) };
  if (driverName === 'overlay') {
    // One VNI per IPv4 subnet, handed out serially after the highest in use.
    let next = Math.max(FIRST_VXLAN_ID - 1, ...others.flatMap(vxlanIds), ...held.flatMap((h) => h.vxlanIds)) + 1;
    const v4 = configs.filter((c) => parsePrefix(c.Subnet)?.addr.family === 4).length;
    options[VXLAN_OPTION] = Array.from({ length: v4 }, () => next++).join(',');
  }
  return {
    DriverState: { Name: driverName, Options: options },
    IPAM: { Driver: spec.IPAMOptions?.Driver ?? { Name: 'default' }, Configs: configs },
  };
}

// ---- addresses inside a subnet ------------------------------------------------------------------

/** One subnet's addresses: taken ones, and the serial cursor (the highest ever handed out). */
class AddressPool {
  readonly subnet: Prefix;
  private readonly base: bigint;
  private readonly end: bigint;
  private readonly first: bigint;
  private readonly last: bigint;
  private readonly used = new Set<bigint>();
  private cursor: bigint;

  constructor(config: StoredIpamConfig) {
    this.subnet = parsePrefix(config.Subnet)!;
    const range = (config.Range && parsePrefix(config.Range)) || this.subnet;
    const base = masked(this.subnet).addr.value;
    this.base = base;
    this.end = base + size(this.subnet);
    const top = this.end - 1n;
    const rangeBase = masked(range).addr.value;
    // Never the network address, nor the IPv4 broadcast address.
    this.first = rangeBase > base ? rangeBase : base + 1n;
    const rangeTop = rangeBase + size(range) - 1n;
    this.last = this.subnet.addr.family === 4 && rangeTop >= top ? top - 1n : rangeTop;
    this.cursor = this.first - 1n;
    const gateway = config.Gateway ? parseAddr(config.Gateway) : nth(this.subnet, 1n);
    if (gateway) this.used.add(gateway.value);
  }

  /** An address someone holds (`inUse`) or held (it only moves the cursor). */
  note(a: Addr, inUse: boolean): void {
    if (a.family !== this.subnet.addr.family || a.value < this.base || a.value >= this.end) return;
    if (inUse) this.used.add(a.value);
    if (a.value > this.cursor && a.value <= this.last) this.cursor = a.value;
  }

  /** The next free address after the cursor, wrapping around once. */
  next(): string | undefined {
    const span = this.last - this.first + 1n;
    for (let i = 1n; i <= span; i++) {
      const v = this.first + ((this.cursor - this.first + i) % span);
      if (this.used.has(v)) continue;
      this.used.add(v);
      this.cursor = v;
      return `${formatAddr({ family: this.subnet.addr.family, value: v })}/${this.subnet.bits}`;
    }
    return undefined;
  }
}

function inUse(t: TaskObject): boolean {
  return taskStateRank(t.Status.State) <= taskStateRank('running');
}

/**
 * The allocator's view of one moment of the store: builds each network's address pools from
 * what services, tasks and nodes hold and what is reserved (handed out, not yet committed), then
 * hands out addresses serially. What it handed out is in `handedOut`, for the caller to reserve
 * while its commit is on its way.
 */
export class NetworkAllocation {
  private readonly pools = new Map<string, AddressPool[] | null>();
  private readonly networks: Map<string, NetworkObject>;
  readonly handedOut: Reserved[] = [];

  constructor(
    private readonly store: MemoryStore,
    private readonly opts: { exceptService?: string; reservations?: Reservations } = {},
  ) {
    this.networks = new Map(store.list<NetworkObject>('network').map((n) => [n.ID, n]));
  }

  ingress(): NetworkObject | undefined {
    return [...this.networks.values()].find((n) => n.Spec.Ingress);
  }

  private poolsOf(n: NetworkObject): AddressPool[] | null {
    const cached = this.pools.get(n.ID);
    if (cached !== undefined) return cached;
    if (!isAllocated(n)) {
      this.pools.set(n.ID, null);
      return null;
    }
    const pools = (n.IPAM!.Configs ?? []).filter((c) => parsePrefix(c.Subnet)).map((c) => new AddressPool(c));
    const note = (cidr: string, held: boolean) => {
      const a = addrOfCidr(cidr);
      if (a) for (const p of pools) p.note(a, held);
    };
    for (const s of this.store.list<ServiceObject>('service')) {
      if (s.ID === this.opts.exceptService) continue;
      for (const v of s.Endpoint?.VirtualIPs ?? []) if (v.NetworkID === n.ID && v.Addr) note(v.Addr, true);
    }
    for (const t of this.store.list<TaskObject>('task')) {
      for (const a of t.NetworksAttachments ?? []) if (a.Network.ID === n.ID) a.Addresses.forEach((x) => note(x, inUse(t)));
    }
    for (const node of this.store.list<NodeWithAttachments>('node')) {
      for (const a of node.attachments ?? []) if (a.Network.ID === n.ID) a.Addresses.forEach((x) => note(x, true));
    }
    for (const cidr of this.opts.reservations?.addresses(n.ID) ?? []) note(cidr, true);
    this.pools.set(n.ID, pools);
    return pools;
  }

  /** A VIP on the network (from its first subnet with room); undefined while it is unallocated. */
  vip(n: NetworkObject): string | undefined {
    const pools = this.poolsOf(n);
    if (!pools) return undefined;
    for (const p of pools) {
      const a = p.next();
      if (a) {
        this.handedOut.push({ kind: 'address', networkId: n.ID, cidr: a });
        return a;
      }
    }
    throw grpcError('ResourceExhausted', `could not allocate a VIP on network ${n.Spec.Name}: no available addresses on this pool`);
  }

  /** Records an address kept from before as held (a service update keeps its VIPs). */
  keep(n: NetworkObject, cidr: string): void {
    const a = addrOfCidr(cidr);
    if (a) this.poolsOf(n)?.forEach((p) => p.note(a, true));
  }

  /**
   * An attachment with one address per subnet; null while the network is unallocated or has no
   * free address (what needs it waits, as SwarmKit leaves it unallocated, without failing the round).
   */
  attach(n: NetworkObject): Attachment | null {
    const pools = this.poolsOf(n);
    if (!pools) return null;
    const addresses = pools.map((p) => p.next()).filter((a): a is string => a !== undefined);
    if (addresses.length === 0) return null;
    for (const cidr of addresses) this.handedOut.push({ kind: 'address', networkId: n.ID, cidr });
    return { Network: toSwarmNetwork(n), Addresses: addresses };
  }

  /**
   * A NEW task's attachments (SwarmKit taskCreateNetworkAttachments): ingress first when the
   * service publishes ports through the routing mesh, then the networks of its spec. Null when
   * one of them is not allocated yet or full: the task stays NEW.
   */
  taskAttachments(t: Task): { NetworksAttachments?: Attachment[] } | null {
    const service = this.store.get<ServiceObject>('service', t.ServiceID);
    const wanted: NetworkObject[] = [];
    const ingress = this.ingress();
    if (ingress && (service?.Spec.EndpointSpec?.Ports ?? []).some((p) => (p.PublishMode ?? 'ingress') === 'ingress')) wanted.push(ingress);
    const refs = t.Spec.Networks?.length ? t.Spec.Networks : (service?.Spec.Networks ?? []);
    for (const ref of refs) {
      const n = this.networks.get(ref.Target);
      if (n && !wanted.includes(n)) wanted.push(n);
    }
    if (wanted.length === 0) return {};
    const attachments: Attachment[] = [];
    for (const n of wanted) {
      const a = this.attach(n);
      if (!a) return null;
      attachments.push(a);
    }
    return { NetworksAttachments: attachments };
  }

  /**
   * Nodes' own endpoints (SwarmKit allocateNode): every node has one on ingress, and one on each
   * network a task of it uses; endpoints on networks no longer needed are dropped.
   */
  nodeChanges(): Change[] {
    const changes: Change[] = [];
    const tasksByNode = new Map<string, Set<string>>();
    for (const t of this.store.list<TaskObject>('task')) {
      if (!t.NodeID || !inUse(t)) continue;
      const set = tasksByNode.get(t.NodeID) ?? new Set<string>();
      for (const a of t.NetworksAttachments ?? []) set.add(a.Network.ID);
      tasksByNode.set(t.NodeID, set);
    }
    const ingress = this.ingress();
    for (const node of this.store.list<NodeWithAttachments>('node')) {
      const wanted = new Set<string>(ingress ? [ingress.ID] : []);
      for (const id of tasksByNode.get(node.ID) ?? []) wanted.add(id);
      const current = node.attachments ?? [];
      const kept = current.filter((a) => wanted.has(a.Network.ID) && this.networks.has(a.Network.ID));
      const next = [...kept];
      for (const id of wanted) {
        const n = this.networks.get(id);
        if (!n || kept.some((a) => a.Network.ID === id)) continue;
        const a = this.attach(n);
        if (a) next.push(a);
      }
      if (next.length !== current.length || kept.length !== current.length) {
        changes.push({ action: 'patch', table: 'node', id: node.ID, set: { attachments: next } });
      }
    }
    return changes;
  }

  /** Networks left unallocated (overlap, exhausted pool) get placed once that is possible. */
  retryUnallocated(cluster: ClusterObject | undefined): Change[] {
    const changes: Change[] = [];
    const placed = [...this.networks.values()].filter(isAllocated);
    for (const n of this.networks.values()) {
      if (isAllocated(n)) continue;
      const where = placeNetwork(n.Spec, placed, cluster, this.opts.reservations?.subnets());
      if (!where) continue;
      this.handedOut.push(...placedReservations(where));
      placed.push({ ...n, ...where });
      changes.push({ action: 'patch', table: 'network', id: n.ID, set: where });
    }
    return changes;
  }
}

/** What a placed network holds until its commit applies: its subnets and VXLAN IDs. */
export function placedReservations(placed: Pick<NetworkObject, 'DriverState' | 'IPAM'>): Reserved[] {
  const ids = placed.DriverState?.Options?.[VXLAN_OPTION]?.split(',').map(Number).filter(Number.isInteger) ?? [];
  return (placed.IPAM?.Configs ?? []).map((c, i) => ({ kind: 'subnet' as const, cidr: c.Subnet, vxlanIds: i === 0 ? ids : [] }));
}
