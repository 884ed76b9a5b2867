// The shapes of a swarm network: as the store keeps it (SwarmKit's api.Network), as a task or node
// attachment embeds it (moby swarm.Network), and as the Engine API shows it — the manager's
// cluster form (moby convert.BasicNetworkFromGRPC: no containers, null labels when there are
// none) or the form of a network instantiated on the answering node (libnetwork's view: its
// containers, the gossip peers and, with `verbose`, the services behind it).

import type { EndpointResource, Network, NetworkServiceInfo, PeerInfo, SwarmNetwork } from '@swarmlab/api';
import { createHash } from 'node:crypto';
import type { StoredObject } from '../../store/memory.js';
import { addrOfCidr, formatAddr } from '../allocator/ip.js';

export interface StoredDriver {
  Name: string;
  Options?: Record<string, string>;
}

export interface StoredIpamConfig {
  Subnet: string;
  Range?: string;
  Gateway?: string;
}

export interface NetworkSpecStored {
  Name: string;
  Labels: Record<string, string>;
  DriverConfiguration?: StoredDriver;
  IPv6Enabled?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  /** What the user asked for (SwarmKit Spec.IPAM). */
  IPAMOptions?: { Driver: StoredDriver; Configs?: StoredIpamConfig[] };
  ConfigFrom?: { Network: string };
  Scope?: string;
}

/** A network in the store. `DriverState` and `IPAM` are absent until the allocator placed it. */
export interface NetworkObject extends StoredObject {
  Spec: NetworkSpecStored;
  DriverState?: StoredDriver;
  IPAM?: { Driver: StoredDriver; Configs?: StoredIpamConfig[] };
}

/** An address on a network, as tasks (NetworksAttachments) and nodes (their LB endpoints) hold it. */
export interface Attachment {
  Network: SwarmNetwork;
  Addresses: string[];
}

export function isAllocated(n: NetworkObject): boolean {
  return n.IPAM !== undefined && n.DriverState !== undefined;
}

const nonEmpty = <T extends object>(o: T | undefined | null): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);

/** Go encodes maps with their keys sorted. */
function sorted<V>(o: Record<string, V>): Record<string, V>;
function sorted<V>(o: Record<string, V> | undefined): Record<string, V> | undefined;
function sorted<V>(o: Record<string, V> | undefined): Record<string, V> | undefined {
  if (!o) return o;
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function ipamConfigs(configs: StoredIpamConfig[] | undefined) {
  return (configs ?? []).map((c) => ({
    ...(c.Subnet ? { Subnet: c.Subnet } : {}),
    ...(c.Range ? { Range: c.Range } : {}),
    ...(c.Gateway ? { Gateway: c.Gateway } : {}),
  }));
}

function driver(d: StoredDriver): { Name?: string; Options?: Record<string, string> } {
  return { ...(d.Name ? { Name: d.Name } : {}), ...(nonEmpty(d.Options) ? { Options: d.Options } : {}) };
}

/** The network as a task's or node's attachment embeds it (moby convert networkFromGRPC). */
export function toSwarmNetwork(n: NetworkObject): SwarmNetwork {
  const s = n.Spec;
  const ipam = (o: { Driver: StoredDriver; Configs?: StoredIpamConfig[] }) => ({
    Driver: driver(o.Driver),
    ...(o.Configs && o.Configs.length > 0 ? { Configs: ipamConfigs(o.Configs) } : {}),
  });
  return {
    ID: n.ID,
    Version: { Index: n.Version.Index },
    CreatedAt: n.CreatedAt,
    UpdatedAt: n.UpdatedAt,
    Spec: {
      Name: s.Name,
      Labels: s.Labels ?? {},
      ...(s.DriverConfiguration ? { DriverConfiguration: driver(s.DriverConfiguration) } : {}),
      ...(s.IPv6Enabled ? { IPv6Enabled: true } : {}),
      ...(s.Internal ? { Internal: true } : {}),
      ...(s.Attachable ? { Attachable: true } : {}),
      ...(s.Ingress ? { Ingress: true } : {}),
      ...(s.IPAMOptions ? { IPAMOptions: ipam(s.IPAMOptions) } : {}),
      ...(s.ConfigFrom?.Network ? { ConfigFrom: { Network: s.ConfigFrom.Network } } : {}),
      ...(s.Scope ? { Scope: s.Scope } : {}),
    },
    DriverState: n.DriverState ? driver(n.DriverState) : {},
    ...(n.IPAM ? { IPAMOptions: ipam(n.IPAM) } : {}),
  } as SwarmNetwork;
}

function engineIpam(s: SwarmNetwork, emptyWhenUnallocated: boolean): Network['IPAM'] {
  const o = s.IPAMOptions;
  if (!o) return { Driver: emptyWhenUnallocated ? '' : 'default', Options: null, Config: emptyWhenUnallocated ? null : [] };
  return {
    Driver: o.Driver?.Name ?? '',
    Options: sorted(o.Driver?.Options) ?? null,
    Config: (o.Configs ?? []).map((c) => ({
      ...(c.Subnet ? { Subnet: c.Subnet } : {}),
      ...(c.Range ? { IPRange: c.Range } : {}),
      ...(c.Gateway ? { Gateway: c.Gateway } : {}),
    })),
  };
}

/** The manager's answer for a swarm network (moby convert.BasicNetworkFromGRPC). */
export function clusterView(s: SwarmNetwork): Network {
  return {
    Name: s.Spec.Name,
    Id: s.ID,
    Created: s.CreatedAt,
    Scope: 'swarm',
    Driver: s.DriverState?.Name ?? '',
    EnableIPv4: true,
    EnableIPv6: Boolean(s.Spec.IPv6Enabled),
    IPAM: engineIpam(s, true),
    Internal: Boolean(s.Spec.Internal),
    Attachable: Boolean(s.Spec.Attachable),
    Ingress: Boolean(s.Spec.Ingress),
    ConfigFrom: { Network: s.Spec.ConfigFrom?.Network ?? '' },
    ConfigOnly: false,
    Containers: null,
    Options: sorted(s.DriverState?.Options) ?? null,
    Labels: sorted(nonEmpty(s.Spec.Labels)) ?? null,
  };
}

/** An endpoint of the answering node on a network: a task's container or the node's LB sandbox. */
export interface LocalEndpoint {
  /** The Containers key: a container ID, "ingress-sbox" or "lb-<network>". */
  key: string;
  name: string;
  /** CIDR form. */
  address: string;
  /** What makes the endpoint ID unique (the same endpoint keeps the same ID everywhere). */
  seed: string;
}

export function endpointId(networkId: string, seed: string): string {
  return createHash('sha256').update(`${networkId}/${seed}`).digest('hex');
}

/** Docker's MAC for an IPv4 endpoint: 02:42 followed by the address bytes. */
function macFor(cidr: string): string {
  const a = addrOfCidr(cidr);
  if (!a || a.family !== 4) return '';
  const bytes = [24n, 16n, 8n, 0n].map((s) => Number((a.value >> s) & 255n).toString(16).padStart(2, '0'));
  return ['02', '42', ...bytes].join(':');
}

export function endpointResource(networkId: string, e: LocalEndpoint): EndpointResource {
  const a = addrOfCidr(e.address);
  return {
    Name: e.name,
    EndpointID: endpointId(networkId, e.seed),
    MacAddress: macFor(e.address),
    IPv4Address: a?.family === 4 ? e.address : '',
    IPv6Address: a?.family === 6 ? e.address : '',
  };
}

export interface LocalViewParts {
  /** Inspect (detailed) or list form: a list shows no containers and no peers. */
  detailed: boolean;
  endpoints?: LocalEndpoint[];
  peers?: PeerInfo[];
  services?: Record<string, NetworkServiceInfo>;
}

/** A swarm network as the answering node's engine has it instantiated (libnetwork's view). */
export function localView(s: SwarmNetwork, parts: LocalViewParts): Network {
  // The manager's fields, in its order, with libnetwork's values where the two differ.
  const view: Network = {
    ...clusterView(s),
    IPAM: engineIpam(s, false),
    ConfigFrom: { Network: '' },
    Containers: {},
    Options: sorted(s.DriverState?.Options ?? {}),
    Labels: sorted(s.Spec.Labels ?? {}),
  };
  if (!parts.detailed) return view;
  view.Containers = sorted(Object.fromEntries((parts.endpoints ?? []).map((e) => [e.key, endpointResource(s.ID, e)])));
  if (parts.peers && parts.peers.length > 0) view.Peers = parts.peers;
  if (parts.services) view.Services = sorted(parts.services);
  return view;
}

/** The node's own endpoint on a network: "ingress-sbox" on ingress, "lb-<name>" elsewhere. */
export function lbEndpoint(s: SwarmNetwork, address: string, nodeSeed: string): LocalEndpoint {
  const ingress = Boolean(s.Spec.Ingress);
  return {
    key: ingress ? 'ingress-sbox' : `lb-${s.Spec.Name}`,
    name: ingress ? 'ingress-endpoint' : `${s.Spec.Name}-endpoint`,
    address,
    seed: `lb/${nodeSeed}`,
  };
}

/** One task behind a service, for `verbose`. */
export interface ServiceTaskEntry {
  service: string;
  /** The service's VIP on this network (CIDR), none in dnsrr mode. */
  vip?: string;
  ports: string[];
  taskName: string;
  address: string;
  hostIp: string;
}

/** `Services` of a verbose inspect: per service its VIP ("<nil>" without one) and task endpoints. */
export function servicesView(networkId: string, entries: ServiceTaskEntry[]): Record<string, NetworkServiceInfo> {
  const out: Record<string, NetworkServiceInfo> = {};
  for (const e of entries) {
    const info = (out[e.service] ??= {
      VIP: e.vip ? formatAddr(addrOfCidr(e.vip)!) : '<nil>',
      Ports: e.ports,
      // libnetwork numbers each service's load balancer on the node from 256.
      LocalLBIndex: 256 + Object.keys(out).length,
      Tasks: [],
    });
    info.Tasks.push({
      Name: e.taskName,
      EndpointID: endpointId(networkId, e.taskName),
      EndpointIP: e.address.split('/')[0],
      Info: { 'Host IP': e.hostIp },
    });
  }
  return out;
}

/** A node's name among a network's peers: libnetwork names its gossip member with 12 hex
 * characters (random per daemon start there; derived from the node ID here, so stable). */
export function peerName(nodeId: string): string {
  return createHash('sha256').update(`networkdb/${nodeId}`).digest('hex').slice(0, 12);
}
