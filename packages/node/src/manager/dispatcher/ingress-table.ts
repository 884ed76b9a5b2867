// The routing mesh's load-balancer table: for every service that publishes ports in ingress mode,
// its published TCP ports and the tasks that serve them. Every node of the swarm listens on those
// ports and spreads connections over the tasks, wherever they run (libnetwork programs IPVS on
// every node from the service records it learns through networkdb; here the leader's dispatcher
// hands the table to every agent through its session, see dispatcher.ts).

import { isDeepStrictEqual } from 'node:util';

export interface IngressPort {
  publishedPort: number;
  targetPort: number;
}

export interface IngressBackend {
  taskId: string;
  nodeId: string;
  /** The task's node address (its data path endpoint). */
  addr: string;
}

export interface IngressService {
  serviceId: string;
  serviceName: string;
  ports: IngressPort[];
  /** Running tasks, ordered by task ID so that every node sees the same order. */
  backends: IngressBackend[];
}

/** The fields of the stored objects this module reads. */
export interface IngressInputs {
  services: { ID: string; Spec: { Name: string }; Endpoint?: { Ports?: { Protocol?: string; TargetPort: number; PublishedPort?: number; PublishMode?: string }[] } }[];
  tasks: { ID: string; ServiceID: string; NodeID?: string; DesiredState: string; Status: { State: string } }[];
  nodes: { ID: string; Status: { Addr: string } }[];
}

/** The ingress-mode TCP ports a service publishes (UDP is not forwarded by the emulated mesh). */
export function ingressPorts(service: IngressInputs['services'][number]): IngressPort[] {
  return (service.Endpoint?.Ports ?? [])
    .filter((p) => p.PublishMode !== 'host' && p.Protocol !== 'udp' && p.Protocol !== 'sctp' && (p.PublishedPort ?? 0) > 0)
    .map((p) => ({ publishedPort: p.PublishedPort!, targetPort: p.TargetPort }));
}

/**
 * The tasks that serve traffic, by service, each with its node's address, ordered by task ID so
 * that every node sees the same order: a task serves while it runs and is meant to (IPVS drops a
 * backend when its container stops), on a node whose address is known. The service records
 * (service-records.ts) take their tasks from here too.
 */
export function servingTasks<T extends IngressInputs['tasks'][number]>(tasks: readonly T[], nodes: IngressInputs['nodes']): Map<string, { task: T; nodeId: string; addr: string }[]> {
  const addrOf = new Map(nodes.map((n) => [n.ID, n.Status.Addr]));
  const byService = new Map<string, { task: T; nodeId: string; addr: string }[]>();
  for (const task of [...tasks].sort((a, b) => (a.ID < b.ID ? -1 : 1))) {
    const addr = addrOf.get(task.NodeID ?? '');
    if (task.Status.State !== 'running' || task.DesiredState !== 'running' || !addr) continue;
    byService.set(task.ServiceID, [...(byService.get(task.ServiceID) ?? []), { task, nodeId: task.NodeID!, addr }]);
  }
  return byService;
}

export function ingressTable(inputs: IngressInputs): IngressService[] {
  const published = inputs.services.map((s) => ({ service: s, ports: ingressPorts(s) })).filter((s) => s.ports.length > 0);
  if (published.length === 0) return [];
  const serving = servingTasks(inputs.tasks, inputs.nodes);
  return published
    .map(({ service, ports }) => ({
      serviceId: service.ID,
      serviceName: service.Spec.Name,
      ports,
      backends: (serving.get(service.ID) ?? []).map(({ task, nodeId, addr }) => ({ taskId: task.ID, nodeId, addr })),
    }))
    .sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1));
}

/** Keeps the current table and a version that changes only when its content does. */
export class TableVersions<T> {
  private version = 0;

  constructor(private table: T) {}

  get current(): { version: number; table: T } {
    return { version: this.version, table: this.table };
  }

  /** Installs `next`; true if it differs from the current table. */
  update(next: T): boolean {
    if (isDeepStrictEqual(next, this.table)) return false;
    this.table = next;
    this.version++;
    return true;
  }
}
