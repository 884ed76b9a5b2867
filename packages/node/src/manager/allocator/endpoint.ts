// The allocator's service part (SwarmKit manager/allocator): published ports (dynamic ones from
// 30000–32767, conflicts refused) and one VIP per attached network in `vip` mode (none in
// `dnsrr`), the ingress network included when ports are published through the routing mesh.

import type { Endpoint, EndpointSpec, PortConfig, Service, ServiceSpec } from '@swarmlab/api';
import { grpcError } from '../../errors.js';
import type { StoredObject } from '../../store/memory.js';
import type { ManagerContext } from '../context.js';
import type { NetworkObject } from '../controlapi/network-view.js';
import { NetworkAllocation } from './network.js';
import type { Reserved } from './reservations.js';

const DYNAMIC_PORTS = { first: 30000, last: 32767 };

interface PortHolder {
  serviceId: string;
  serviceName: string;
  mode: string;
}

/** Published ports of other services, in the store or reserved by a create or update on its way. */
function publishedPorts(ctx: ManagerContext, serviceId: string): Map<string, PortHolder> {
  const out = new Map<string, PortHolder>();
  for (const s of ctx.store.list<Service & StoredObject>('service')) {
    if (s.ID === serviceId) continue;
    for (const p of s.Endpoint?.Ports ?? []) {
      if (p.PublishedPort) out.set(`${p.Protocol ?? 'tcp'}/${p.PublishedPort}`, { serviceId: s.ID, serviceName: s.Spec.Name, mode: p.PublishMode ?? 'ingress' });
    }
  }
  for (const r of ctx.reservations.ports()) if (r.serviceId !== serviceId) out.set(`${r.protocol}/${r.port}`, r);
  return out;
}

export interface EndpointAllocation {
  endpoint: Endpoint;
  /** The VIPs and published ports it handed out: reserve them until the commit applies. */
  reserved: Reserved[];
}

export function allocateEndpoint(ctx: ManagerContext, serviceId: string, spec: ServiceSpec, previous?: Endpoint): EndpointAllocation {
  const endpointSpec: EndpointSpec = spec.EndpointSpec ?? {};
  const taken = publishedPorts(ctx, serviceId);
  const ports: PortConfig[] = [];
  for (const p of endpointSpec.Ports ?? []) {
    const protocol = p.Protocol ?? 'tcp';
    const mode = p.PublishMode ?? 'ingress';
    let published = p.PublishedPort ?? 0;
    if (!published && mode === 'ingress') {
      const before = previous?.Ports?.find((x) => x.TargetPort === p.TargetPort && (x.Protocol ?? 'tcp') === protocol)?.PublishedPort;
      published = before ?? 0;
      for (let port = DYNAMIC_PORTS.first; !published && port <= DYNAMIC_PORTS.last; port++) {
        if (!taken.has(`${protocol}/${port}`) && !ports.some((x) => x.PublishedPort === port && x.Protocol === protocol)) published = port;
      }
    }
    const clash = published ? taken.get(`${protocol}/${published}`) : undefined;
    if (clash && (clash.mode === 'ingress' || mode === 'ingress')) {
      throw grpcError(
        'InvalidArgument',
        `port '${published}' is already in use by service '${clash.serviceName}' (${clash.serviceId}) as ${clash.mode === 'ingress' ? 'an ingress port' : 'a host-published port'}`,
      );
    }
    ports.push({ ...p, Protocol: protocol, PublishMode: mode, ...(published ? { PublishedPort: published } : {}) } as PortConfig);
  }
  // A dnsrr service without ports needs nothing from SwarmKit's allocator, which then never
  // copies its endpoint spec: the API shows an empty one (seen on a real swarm).
  const allocatesNothing = endpointSpec.Mode === 'dnsrr' && ports.length === 0;
  const endpoint: Endpoint = { Spec: allocatesNothing ? {} : (spec.EndpointSpec ?? {}) } as Endpoint;
  if (ports.length > 0) endpoint.Ports = ports;
  const reserved: Reserved[] = ports.flatMap((p) =>
    p.PublishedPort ? [{ kind: 'port' as const, protocol: p.Protocol ?? 'tcp', port: p.PublishedPort, mode: p.PublishMode ?? 'ingress', serviceId, serviceName: spec.Name }] : [],
  );
  if ((endpointSpec.Mode ?? 'vip') !== 'vip') return { endpoint, reserved };
  const networks = ctx.store.list<NetworkObject>('network');
  const attached: NetworkObject[] = [];
  if (ports.some((p) => p.PublishMode === 'ingress')) {
    const ingress = networks.find((n) => n.Spec.Ingress);
    if (!ingress) throw grpcError('FailedPrecondition', 'service needs ingress network, but no ingress network is present');
    attached.push(ingress);
  }
  for (const ref of spec.TaskTemplate.Networks ?? spec.Networks ?? []) {
    const n = networks.find((x) => x.ID === ref.Target || x.Spec.Name === ref.Target);
    if (!n) throw grpcError('NotFound', `network ${ref.Target} not found`);
    if (!attached.includes(n)) attached.push(n);
  }
  if (attached.length > 0) {
    // Addresses come from the networks' pools, shared with tasks and nodes; an update keeps its VIPs.
    const pools = new NetworkAllocation(ctx.store, { exceptService: serviceId, reservations: ctx.reservations });
    const kept = attached.map((n) => previous?.VirtualIPs?.find((v) => v.NetworkID === n.ID)?.Addr);
    kept.forEach((addr, i) => addr && pools.keep(attached[i], addr));
    // A network not allocated yet gives no VIP (SwarmKit leaves the service unallocated meanwhile).
    const vips = attached.flatMap((n, i) => {
      const addr = kept[i] ?? pools.vip(n);
      return addr ? [{ NetworkID: n.ID, Addr: addr }] : [];
    });
    if (vips.length > 0) endpoint.VirtualIPs = vips;
    reserved.push(...pools.handedOut);
  }
  return { endpoint, reserved };
}
