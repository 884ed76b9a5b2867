// The networks a node's own engine has (libnetwork's view, the "local" half of GET /networks):
// the predefined `none`, `host` and `bridge`, `docker_gwbridge` once the node is in a swarm, and
// the swarm networks instantiated on it — ingress on every swarm node, and each network one of its
// tasks uses — as the dispatcher described them to this node (its tasks and its own endpoints).
// Shapes from reference/real-swarm/api-networks.json and network-inspect-*.json.

import type { Network, Task } from '@swarmlab/api';
import { createHash } from 'node:crypto';
import type { Assignment } from '../manager/dispatcher/dispatcher.js';
import { endpointId, lbEndpoint, localView, peerName, type Attachment, type LocalEndpoint } from '../manager/controlapi/network-view.js';

export interface LocalNetworking {
  /** The swarm this node is in, if any (docker_gwbridge exists from the first join on). */
  inSwarm: boolean;
  /** Seeds the 64-hex IDs of the local networks: stable for the node. */
  nodeKey: string;
  nodeId: string;
  hostname: string;
  addr: string;
  /** When this engine created its local networks. */
  created: string;
  /** The node's own endpoints (SwarmKit Node.Attachments) and its tasks, from its session. */
  attachments: Attachment[];
  assignments: Assignment[];
  /** This node's containers by task. */
  containers: { id: string; taskId: string; state: string }[];
}

interface Predefined {
  name: string;
  driver: string;
  config: { Subnet: string; Gateway?: string }[];
  options: Record<string, string>;
}

const PREDEFINED: Predefined[] = [
  { name: 'none', driver: 'null', config: [], options: {} },
  { name: 'host', driver: 'host', config: [], options: {} },
  {
    name: 'bridge',
    driver: 'bridge',
    config: [{ Subnet: '172.17.0.0/16' }],
    options: {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'false',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      'com.docker.network.driver.mtu': '1500',
    },
  },
];

const GWBRIDGE: Predefined = {
  name: 'docker_gwbridge',
  driver: 'bridge',
  config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }],
  options: {
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.name': 'docker_gwbridge',
  },
};

/** The ID of one of a node's own networks (bridge, host, none, docker_gwbridge): stable for the node. */
export function localNetworkId(nodeKey: string, name: string): string {
  return createHash('sha256').update(`${nodeKey}/${name}`).digest('hex');
}

function localNetwork(p: Predefined, node: LocalNetworking, detailed: boolean): Network {
  const id = localNetworkId(node.nodeKey, p.name);
  const containers: Network['Containers'] = {};
  // The ingress sandbox's leg to the host (every swarm node has one).
  if (detailed && p === GWBRIDGE && node.inSwarm) {
    containers['ingress-sbox'] = {
      Name: 'gateway_ingress-sbox',
      EndpointID: endpointId(id, `gateway/${node.nodeKey}`),
      MacAddress: '02:42:ac:12:00:02',
      IPv4Address: '172.18.0.2/16',
      IPv6Address: '',
    };
  }
  return {
    Name: p.name,
    Id: id,
    Created: node.created,
    Scope: 'local',
    Driver: p.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: p.config.map((c) => ({ ...c })) },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...p.options },
    Labels: {},
  };
}

/** The engine's own networks in the order a real engine lists them. */
export function predefinedNetworks(node: LocalNetworking, detailed: boolean): Network[] {
  return [...PREDEFINED, ...(node.inSwarm ? [GWBRIDGE] : [])].map((p) => localNetwork(p, node, detailed));
}

/** The list form of an instantiated network: no containers, peers or services. */
export function listForm(n: Network): Network {
  const { Peers: _p, Services: _s, ...rest } = n;
  return { ...rest, Containers: {} };
}

/**
 * Swarm networks instantiated on this node, built from what its session carries (a worker has no
 * store): its containers on each, its own endpoint, and itself as the peer it knows of.
 */
export function instantiatedNetworks(node: LocalNetworking): Network[] {
  if (!node.inSwarm) return [];
  const running = new Map(node.containers.filter((c) => c.state === 'running').map((c) => [c.taskId, c.id]));
  return node.attachments.map((a) => {
    const endpoints: LocalEndpoint[] = [];
    for (const { task, serviceName } of node.assignments) {
      const t = task as unknown as Task;
      const on = (t.NetworksAttachments ?? []).find((x) => x.Network.ID === a.Network.ID);
      const containerId = running.get(t.ID);
      if (!on || !containerId) continue;
      const name = `${serviceName}.${t.Slot ?? t.NodeID}.${t.ID}`;
      endpoints.push({ key: containerId, name, address: on.Addresses[0], seed: name });
    }
    endpoints.push(lbEndpoint(a.Network, a.Addresses[0], node.nodeId));
    return localView(a.Network, { detailed: true, endpoints, peers: [{ Name: peerName(node.nodeId), IP: node.addr }] });
  });
}
