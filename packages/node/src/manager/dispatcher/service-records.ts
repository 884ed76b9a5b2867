// Service discovery records (libnetwork's service records, which every node learns through
// networkdb): for each service attached to a network, its name and aliases, its virtual IPs, and
// its running tasks with their addresses on each network. A node answers its containers' name
// lookups from them and routes their connections to those addresses (agent/dns/).

import { isNetworkAttachmentTask } from '@swarmlab/api';
import { servingTasks } from './ingress-table.js';

export interface NetworkAddress {
  networkId: string;
  /** Without the prefix length: 10.0.1.2. */
  ip: string;
}

export interface RecordTask {
  taskId: string;
  /** The task's container name as Docker's DNS answers it: <service>.<slot or node ID>.<task ID>. */
  name: string;
  nodeId: string;
  /** The task's node address (its data path endpoint). */
  addr: string;
  ips: NetworkAddress[];
}

export interface ServiceRecord {
  serviceId: string;
  name: string;
  endpointMode: 'vip' | 'dnsrr';
  /** Network aliases of the service, per network. */
  aliases: { networkId: string; alias: string }[];
  vips: NetworkAddress[];
  /** Running tasks, ordered by task ID so that every node sees the same order. */
  tasks: RecordTask[];
}

/** The fields of the stored objects this module reads. */
export interface RecordInputs {
  services: {
    ID: string;
    Spec: { Name: string; EndpointSpec?: { Mode?: string }; Networks?: { Target: string; Aliases?: string[] }[]; TaskTemplate?: { Networks?: { Target: string; Aliases?: string[] }[] } };
    Endpoint?: { VirtualIPs?: { NetworkID: string; Addr?: string }[] };
  }[];
  tasks: {
    ID: string;
    ServiceID: string;
    Slot?: number;
    NodeID?: string;
    DesiredState: string;
    Status: { State: string };
    NetworksAttachments?: { Network: { ID: string }; Addresses?: string[] }[];
    /** Read for network attachment tasks: the container's name comes as the attachment's alias. */
    Spec?: { NetworkAttachmentSpec?: { ContainerID: string }; Networks?: { Target: string; Aliases?: string[] }[] };
  }[];
  nodes: { ID: string; Status: { Addr: string } }[];
  networks: { ID: string; Spec: { Ingress?: boolean } }[];
}

const withoutPrefix = (cidr: string) => cidr.split('/')[0]!;

/** Records on every network but ingress, which has no service discovery in Docker either. */
export function serviceRecords(inputs: RecordInputs): ServiceRecord[] {
  const ingress = new Set(inputs.networks.filter((n) => n.Spec.Ingress).map((n) => n.ID));
  const discoverable = (networkId: string) => !ingress.has(networkId);
  const serving = servingTasks(inputs.tasks, inputs.nodes);
  const records: ServiceRecord[] = [];
  for (const s of inputs.services) {
    const vips = (s.Endpoint?.VirtualIPs ?? []).filter((v) => v.Addr && discoverable(v.NetworkID)).map((v) => ({ networkId: v.NetworkID, ip: withoutPrefix(v.Addr!) }));
    const tasks = (serving.get(s.ID) ?? [])
      .map(({ task: t, nodeId, addr }) => ({
        taskId: t.ID,
        name: `${s.Spec.Name}.${t.Slot ?? nodeId}.${t.ID}`,
        nodeId,
        addr,
        ips: (t.NetworksAttachments ?? [])
          .filter((a) => discoverable(a.Network.ID))
          .flatMap((a) => (a.Addresses ?? []).map((cidr) => ({ networkId: a.Network.ID, ip: withoutPrefix(cidr) }))),
      }))
      .filter((t) => t.ips.length > 0);
    if (vips.length === 0 && tasks.length === 0) continue;
    const refs = s.Spec.TaskTemplate?.Networks?.length ? s.Spec.TaskTemplate.Networks : (s.Spec.Networks ?? []);
    records.push({
      serviceId: s.ID,
      name: s.Spec.Name,
      endpointMode: s.Spec.EndpointSpec?.Mode === 'dnsrr' ? 'dnsrr' : 'vip',
      aliases: refs.flatMap((r) => (r.Aliases ?? []).map((alias) => ({ networkId: r.Target, alias }))),
      vips,
      tasks,
    });
  }
  records.push(...containerRecords(inputs, discoverable));
  return records.sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1));
}

/**
 * Containers run outside services on attachable networks (network attachment tasks) resolve by
 * their name on those networks, as libnetwork's DNS answers for them, and take connections to
 * their address. One record each, with the container as its only task.
 */
function containerRecords(inputs: RecordInputs, discoverable: (networkId: string) => boolean): ServiceRecord[] {
  const addrOf = new Map(inputs.nodes.map((n) => [n.ID, n.Status.Addr]));
  const records: ServiceRecord[] = [];
  for (const t of inputs.tasks) {
    const name = t.Spec?.Networks?.[0]?.Aliases?.[0];
    const addr = addrOf.get(t.NodeID ?? '');
    if (!isNetworkAttachmentTask(t) || !name || !addr || t.DesiredState !== 'running') continue;
    const ips = (t.NetworksAttachments ?? [])
      .filter((a) => discoverable(a.Network.ID))
      .flatMap((a) => (a.Addresses ?? []).map((cidr) => ({ networkId: a.Network.ID, ip: withoutPrefix(cidr) })));
    if (ips.length === 0) continue;
    records.push({ serviceId: `attachment/${t.ID}`, name, endpointMode: 'dnsrr', aliases: [], vips: [], tasks: [{ taskId: t.ID, name, nodeId: t.NodeID!, addr, ips }] });
  }
  return records;
}
