// Service discovery for the containers of this node (Docker's embedded DNS and the VIP load
// balancer in each container's namespace), from the service records the leader sends. A container
// resolves, on the networks it is attached to:
//   <service> or a service alias   the service's virtual IP (endpoint mode vip), or one of its
//                                  tasks' addresses in turn (dnsrr)
//   tasks.<service>                one of its tasks' addresses in turn
//   <service>.<slot>.<task ID>     that task's address
// and a connection to a virtual IP goes to the service's tasks in turn, one to a task's address to
// that task (route). Names are matched without regard to case, as DNS does.

import type { NetworkAddress, RecordTask, ServiceRecord } from '../../manager/dispatcher/service-records.js';

/** A virtual IP without running tasks refuses connections (IPVS with no real server). */
export type Route = { kind: 'vip'; task: RecordTask | undefined } | { kind: 'task'; task: RecordTask };

const TASKS_PREFIX = 'tasks.';

export class ServiceDiscovery {
  private records: ServiceRecord[] = [];
  /** Round-robin positions, by service and network. */
  private readonly turns = new Map<string, number>();

  update(records: ServiceRecord[]): void {
    this.records = records;
  }

  /** The address `name` stands for, seen from a container with addresses `own`; undefined if none. */
  resolve(name: string, own: readonly NetworkAddress[]): string | undefined {
    return this.lookup(name, own)[0];
  }

  /**
   * Every address `name` stands for, as Docker's DNS answers: a service's VIP, or its tasks'
   * addresses (dnsrr, tasks.<service>) starting each time at the next one, so a client that takes
   * the first is served round robin. Empty if the name is unknown on these networks.
   */
  lookup(name: string, own: readonly NetworkAddress[]): string[] {
    const wanted = name.toLowerCase().replace(/\.$/, '');
    for (const { networkId } of own) {
      for (const r of this.records) {
        const byName = r.name.toLowerCase() === wanted || r.aliases.some((a) => a.networkId === networkId && a.alias.toLowerCase() === wanted);
        if (byName) {
          const vip = r.vips.find((v) => v.networkId === networkId);
          if (r.endpointMode === 'vip') {
            if (vip) return [vip.ip];
            continue;
          }
          const ips = this.taskIpsInTurn(r, networkId);
          if (ips.length > 0) return ips;
        }
        if (wanted === `${TASKS_PREFIX}${r.name.toLowerCase()}`) {
          const ips = this.taskIpsInTurn(r, networkId);
          if (ips.length > 0) return ips;
        }
        const task = r.tasks.find((t) => t.name.toLowerCase() === wanted);
        const ip = task?.ips.find((a) => a.networkId === networkId)?.ip;
        if (ip) return [ip];
      }
    }
    return [];
  }

  /** Where a connection from a container with addresses `own` to `ip` goes; undefined: nowhere. */
  route(ip: string, own: readonly NetworkAddress[]): Route | undefined {
    for (const { networkId } of own) {
      for (const r of this.records) {
        if (r.vips.some((v) => v.networkId === networkId && v.ip === ip)) return { kind: 'vip', task: this.nextTask(r, networkId) };
        const task = r.tasks.find((t) => t.ips.some((a) => a.networkId === networkId && a.ip === ip));
        if (task) return { kind: 'task', task };
      }
    }
    return undefined;
  }

  private nextTask(r: ServiceRecord, networkId: string): RecordTask | undefined {
    const on = this.tasksOn(r, networkId);
    return on.length === 0 ? undefined : on[this.takeTurn(r, networkId) % on.length];
  }

  /** The service's task addresses on the network, rotated to start at the next turn. */
  private taskIpsInTurn(r: ServiceRecord, networkId: string): string[] {
    const ips = this.tasksOn(r, networkId).map((t) => t.ips.find((a) => a.networkId === networkId)!.ip);
    if (ips.length === 0) return ips;
    const first = this.takeTurn(r, networkId) % ips.length;
    return [...ips.slice(first), ...ips.slice(0, first)];
  }

  private tasksOn(r: ServiceRecord, networkId: string): RecordTask[] {
    return r.tasks.filter((t) => t.ips.some((a) => a.networkId === networkId));
  }

  private takeTurn(r: ServiceRecord, networkId: string): number {
    const key = `${r.serviceId}/${networkId}`;
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    return turn;
  }
}
