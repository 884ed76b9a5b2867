// Control API for swarm networks (SwarmKit manager/controlapi/network.go with moby's
// daemon/cluster/networks.go around it), run on the leader: create (placed by the allocator at
// once), remove (refused while services or tasks use it; ingress while a service publishes
// through it), the views the Engine API shows, and the daemon's resolution of the networks a
// service spec names.

import { ambiguous, ingressInUse, networkInUse, notFound, taskStateRank, type Network, type NetworkCreateRequest, type PeerInfo, type ServiceSpec, type Task } from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki/light';
import { ApiError, daemon, grpcError } from '../../errors.js';
import type { StoredObject } from '../../store/memory.js';
import { placedReservations, placeNetwork, type NodeWithAttachments } from '../allocator/network.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import type { NodeObject, ServiceObject, TaskObject } from '../objects.js';
import { checkOnDaemon, checkOnManager, PREDEFINED_NAMES, SWARM_LOCAL_NETWORKS } from './network-validation.js';
import {
  clusterView,
  lbEndpoint,
  localView,
  peerName,
  servicesView,
  toSwarmNetwork,
  type LocalEndpoint,
  type NetworkObject,
  type NetworkSpecStored,
  type ServiceTaskEntry,
} from './network-view.js';

type Caller = { nodeId: string | null };
type Op = { read: boolean; run: (ctx: ManagerContext, args: any, caller: Caller) => unknown };

// Defined with the validation the Engine API also uses, so a worker's engine need not load this module.
export { SWARM_LOCAL_NETWORKS };

export function networkOps(): Record<string, Op> {
  return {
    'network.create': { read: false, run: (c, a) => createNetwork(c, a.request) },
    'network.remove': { read: false, run: (c, a) => removeNetwork(c, a.ref) },
    'network.view': { read: true, run: (c, a, caller) => viewNetworks(c, caller.nodeId, Boolean(a.verbose)) },
  };
}

/** moby daemon/cluster getNetwork: full ID, exact name, then unique ID prefix. */
export function findNetwork(ctx: ManagerContext, ref: string): NetworkObject {
  const all = ctx.store.list<NetworkObject>('network');
  const byId = all.find((n) => n.ID === ref);
  if (byId) return byId;
  const byName = all.filter((n) => n.Spec.Name === ref);
  const matches = byName.length > 0 ? byName : ref === '' ? [] : all.filter((n) => n.ID.startsWith(ref));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw daemon(ambiguous('network', ref, matches.length));
  throw daemon(notFound('network', ref));
}

function specOf(req: NetworkCreateRequest): NetworkSpecStored {
  const nonEmpty = (o: Record<string, string> | null | undefined) => (o && Object.keys(o).length > 0 ? o : undefined);
  const options = nonEmpty(req.Options);
  const ipam = req.IPAM;
  const ipamOptions = nonEmpty(ipam?.Options);
  const configs = (ipam?.Config ?? []).map((c) => ({
    Subnet: c.Subnet ?? '',
    ...(c.IPRange ? { Range: c.IPRange } : {}),
    ...(c.Gateway ? { Gateway: c.Gateway } : {}),
  }));
  return {
    Name: req.Name,
    Labels: req.Labels ?? {},
    DriverConfiguration: { Name: req.Driver || 'overlay', ...(options ? { Options: options } : {}) },
    ...(req.EnableIPv6 ? { IPv6Enabled: true } : {}),
    ...(req.Internal ? { Internal: true } : {}),
    ...(req.Attachable ? { Attachable: true } : {}),
    ...(req.Ingress ? { Ingress: true } : {}),
    ...(ipam
      ? { IPAMOptions: { Driver: { Name: ipam.Driver || 'default', ...(ipamOptions ? { Options: ipamOptions } : {}) }, ...(configs.length ? { Configs: configs } : {}) } }
      : {}),
    Scope: 'swarm',
  };
}

export async function createNetwork(ctx: ManagerContext, request: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const req = request ?? ({} as NetworkCreateRequest);
  const conflict = () => new ApiError(409, `network with name ${req.Name} already exists`);
  if (req.Name && ctx.store.findByName('network', req.Name)) throw conflict();
  checkOnDaemon(req, { inSwarm: true, manager: true }, SWARM_LOCAL_NETWORKS);
  checkOnManager(req);
  const networks = ctx.store.list<NetworkObject>('network');
  const ingress = networks.find((n) => n.Spec.Ingress);
  if (req.Ingress && ingress) throw grpcError('AlreadyExists', `ingress network (${ingress.ID}) is already present`);
  const spec = specOf(req);
  const now = ctx.clock.iso();
  // Placed at once, as SwarmKit's allocator does right after the create; left unallocated
  // (and retried) when the subnet overlaps another or the pool is exhausted.
  const placed = placeNetwork(spec, networks, clusterOf(ctx), ctx.reservations.subnets());
  // SwarmKit's IPAM writes the gateway it picks into the user's own subnet configs (the spec
  // tasks carry in their attachments shows it).
  for (const c of spec.IPAMOptions?.Configs ?? []) {
    if (!c.Gateway) c.Gateway = placed?.IPAM?.Configs?.find((p) => p.Subnet === c.Subnet)?.Gateway;
    if (!c.Gateway) delete c.Gateway;
  }
  const network: NetworkObject = {
    ID: newIdentityId(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: spec,
    ...placed,
  };
  try {
    await ctx.reservations.during(placed ? placedReservations(placed) : [], () => commit(ctx, [{ action: 'create', table: 'network', object: network }]));
  } catch (e) {
    if (e instanceof ApiError && e.statusCode === 409) throw conflict();
    throw e;
  }
  return { Id: network.ID, Warning: '' };
}

function referencedBy(spec: ServiceSpec, networkId: string): boolean {
  return [...(spec.TaskTemplate?.Networks ?? []), ...(spec.Networks ?? [])].some((n) => n.Target === networkId);
}

function publishesIngress(s: ServiceObject): boolean {
  return (s.Spec.EndpointSpec?.Ports ?? []).some((p) => (p.PublishMode ?? 'ingress') === 'ingress');
}

const byId = (a: StoredObject, b: StoredObject) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);

export async function removeNetwork(ctx: ManagerContext, ref: string): Promise<void> {
  const n = findNetwork(ctx, ref);
  const services = ctx.store.list<ServiceObject>('service').sort(byId);
  if (n.Spec.Ingress) {
    const user = services.find(publishesIngress);
    if (user) throw daemon(ingressInUse(user.ID));
  } else {
    const user = services.find((s) => referencedBy(s.Spec, n.ID));
    if (user) throw daemon(networkInUse(n.ID, user.ID));
    const running = (s: string) => taskStateRank(s as Task['DesiredState']) <= taskStateRank('running');
    const task = ctx.store
      .list<TaskObject>('task')
      .sort(byId)
      .find((t) => running(t.DesiredState) && running(t.Status.State) && (t.NetworksAttachments ?? []).some((a) => a.Network.ID === n.ID));
    if (task) throw grpcError('FailedPrecondition', `network ${n.ID} is in use by task ${task.ID}`);
  }
  await commit(ctx, [{ action: 'delete', table: 'network', id: n.ID }]);
}

// ---- what the Engine API shows -------------------------------------------------------------------

export interface NetworkViews {
  /** Every swarm network as the managers answer for it (sorted by ID, as SwarmKit's store lists). */
  cluster: Network[];
  /** The swarm networks instantiated on the asking node, in its engine's (detailed) form. */
  local: Network[];
}

function taskName(t: Task, services: Map<string, ServiceObject>): string {
  return `${services.get(t.ServiceID)?.Spec.Name ?? t.ServiceID}.${t.Slot ?? t.NodeID}.${t.ID}`;
}

function ingressPorts(s: ServiceObject | undefined): string[] {
  return (s?.Endpoint?.Ports ?? []).filter((p) => p.PublishMode === 'ingress').map((p) => `Target: ${p.TargetPort}, Publish: ${p.PublishedPort}`);
}

/** A task whose container is up on its node holds an endpoint on its networks. */
function hasEndpoint(t: TaskObject): boolean {
  return Boolean(t.Status.ContainerStatus?.ContainerID) && taskStateRank(t.Status.State) <= taskStateRank('running');
}

export function viewNetworks(ctx: ManagerContext, nodeId: string | null, verbose: boolean): NetworkViews {
  const networks = ctx.store.list<NetworkObject>('network').sort(byId);
  const cluster = networks.map((n) => clusterView(toSwarmNetwork(n)));
  const node = nodeId ? ctx.store.get<NodeObject & NodeWithAttachments>('node', nodeId) : undefined;
  if (!node) return { cluster, local: [] };
  const nodes = ctx.store.list<NodeObject & NodeWithAttachments>('node').sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : 1));
  const services = new Map(ctx.store.list<ServiceObject>('service').map((s) => [s.ID, s]));
  const tasks = ctx.store.list<TaskObject>('task').filter(hasEndpoint);
  const local: Network[] = [];
  for (const a of node.attachments ?? []) {
    const n = networks.find((x) => x.ID === a.Network.ID);
    if (!n) continue;
    const swarmNet = toSwarmNetwork(n);
    const on = tasks.filter((t) => (t.NetworksAttachments ?? []).some((x) => x.Network.ID === n.ID));
    const addressOf = (t: TaskObject) => t.NetworksAttachments!.find((x) => x.Network.ID === n.ID)!.Addresses[0];
    const endpoints: LocalEndpoint[] = [
      ...on.filter((t) => t.NodeID === node.ID).map((t) => ({ key: t.Status.ContainerStatus!.ContainerID, name: taskName(t, services), address: addressOf(t), seed: taskName(t, services) })),
      lbEndpoint(swarmNet, a.Addresses[0], node.ID),
    ];
    const peers: PeerInfo[] = nodes
      .filter((p) => (p.attachments ?? []).some((x) => x.Network.ID === n.ID))
      .map((p) => ({ Name: peerName(p.ID), IP: p.Status.Addr }));
    let servicesInfo;
    if (verbose) {
      const order = (t: TaskObject) => (t.NodeID === node.ID ? 0 : 1);
      const entries: ServiceTaskEntry[] = [...on]
        .sort((x, y) => order(x) - order(y))
        .map((t) => {
          const s = services.get(t.ServiceID);
          return {
            service: s?.Spec.Name ?? t.ServiceID,
            vip: s?.Endpoint?.VirtualIPs?.find((v) => v.NetworkID === n.ID)?.Addr,
            ports: ingressPorts(s),
            taskName: taskName(t, services),
            address: addressOf(t),
            hostIp: nodes.find((p) => p.ID === t.NodeID)?.Status.Addr ?? '',
          };
        });
      servicesInfo = servicesView(n.ID, entries);
    }
    local.push(localView(swarmNet, { detailed: true, endpoints, peers, services: servicesInfo }));
  }
  return { cluster, local };
}

// ---- networks named by a service spec (moby daemon/cluster populateNetworkID) -------------------

/** Replaces each network reference of the spec by the network's ID, refusing unknown ones and ingress. */
export function resolveServiceNetworks(ctx: ManagerContext, spec: ServiceSpec): void {
  const refs = spec.TaskTemplate.Networks?.length ? spec.TaskTemplate.Networks : (spec.Networks ?? []);
  for (const ref of refs) {
    let n: NetworkObject;
    try {
      n = findNetwork(ctx, ref.Target);
    } catch (e) {
      if (!(e instanceof ApiError) || e.statusCode !== 404) throw e;
      if (PREDEFINED_NAMES.includes(ref.Target)) {
        throw new ApiError(404, `could not find the corresponding predefined swarm network: network ${ref.Target} not found`);
      }
      if (SWARM_LOCAL_NETWORKS.includes(ref.Target)) {
        throw new ApiError(
          403,
          `The network ${ref.Target} cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.`,
        );
      }
      throw e;
    }
    if (n.Spec.Ingress) throw grpcError('InvalidArgument', `Service cannot be explicitly attached to the ingress network "${n.Spec.Name}"`);
    ref.Target = n.ID;
  }
}
