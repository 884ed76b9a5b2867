// The scheduler's node filters (SwarmKit manager/scheduler/filter.go), each with the text
// `docker service ps` shows when it rejects nodes: "insufficient resources on 2 nodes".

import type { Platform, Task } from '@swarmlab/api';
import { nodeMatchesConstraints, tryParseConstraints, type Constraint } from './constraint.js';
import { activeTasksOfService, taskReservations, type NodeInfo } from './node-info.js';

/** A task being placed, with what the scheduler derives from its service. */
export interface TaskToPlace {
  task: Task;
  /** Host-mode published ports of its service as "protocol/port". */
  hostPorts: readonly string[];
}

export interface Filter {
  /** Prepares the filter for a task; false when it does not apply to that task. */
  setTask(t: TaskToPlace): boolean;
  check(n: NodeInfo): boolean;
  explain(nodes: number): string;
}

function onNodes(what: string, nodes: number): string {
  return nodes === 1 ? `${what} on 1 node` : `${what} on ${nodes} nodes`;
}

export class ReadyFilter implements Filter {
  setTask(): boolean {
    return true;
  }
  check(n: NodeInfo): boolean {
    return n.node.Status?.State === 'ready' && n.node.Spec.Availability === 'active';
  }
  explain(nodes: number): string {
    return nodes === 1 ? '1 node not available for new tasks' : `${nodes} nodes not available for new tasks`;
  }
}

export class ResourceFilter implements Filter {
  private nanoCPUs = 0;
  private memoryBytes = 0;
  setTask(t: TaskToPlace): boolean {
    const r = taskReservations(t.task);
    this.nanoCPUs = r.nanoCPUs;
    this.memoryBytes = r.memoryBytes;
    return r.nanoCPUs !== 0 || r.memoryBytes !== 0;
  }
  check(n: NodeInfo): boolean {
    return this.nanoCPUs <= n.availableNanoCPUs && this.memoryBytes <= n.availableMemoryBytes;
  }
  explain(nodes: number): string {
    return onNodes('insufficient resources', nodes);
  }
}

/** Volume, network and log driver plugins the task needs must be installed on the node. */
export class PluginFilter implements Filter {
  private volumeDrivers: string[] = [];
  private networkDrivers: string[] = [];
  private logDriver = '';
  setTask(t: TaskToPlace): boolean {
    const spec = t.task.Spec;
    this.volumeDrivers = (spec?.ContainerSpec?.Mounts ?? [])
      .filter((m) => m.Type === 'volume')
      .map((m) => m.VolumeOptions?.DriverConfig?.Name ?? '')
      .filter((name) => name !== '' && name !== 'local');
    this.networkDrivers = (t.task.NetworksAttachments ?? []).map((a) => a.Network?.DriverState?.Name ?? '').filter((name) => name !== '');
    this.logDriver = spec?.LogDriver ? (spec.LogDriver.Name ?? '') : '';
    return this.volumeDrivers.length > 0 || (t.task.NetworksAttachments?.length ?? 0) > 0 || spec?.LogDriver !== undefined;
  }
  check(n: NodeInfo): boolean {
    const engine = n.node.Description?.Engine;
    // A node that reports no engine cannot be checked for plugins.
    if (!engine) return true;
    const plugins = engine.Plugins ?? [];
    const find = (type: string, name: string): { typeFound: boolean; exists: boolean } => {
      let typeFound = false;
      for (const p of plugins) {
        if (p.Type !== type) continue;
        typeFound = true;
        if (p.Name === name || p.Name === `${name}:latest`) return { typeFound, exists: true };
      }
      return { typeFound, exists: false };
    };
    if (this.volumeDrivers.some((d) => !find('Volume', d).exists)) return false;
    if (this.networkDrivers.some((d) => !find('Network', d).exists)) return false;
    if (this.logDriver !== '' && this.logDriver !== 'none') {
      // A node listing no log drivers at all is an old engine that did not report them.
      const { typeFound, exists } = find('Log', this.logDriver);
      if (typeFound && !exists) return false;
    }
    return true;
  }
  explain(nodes: number): string {
    return onNodes('missing plugin', nodes);
  }
}

export class ConstraintFilter implements Filter {
  private constraints: Constraint[] = [];
  setTask(t: TaskToPlace): boolean {
    const list = t.task.Spec?.Placement?.Constraints;
    if (!list || list.length === 0) return false;
    // The control API validated them; a list that no longer parses disables the filter.
    const parsed = tryParseConstraints(list);
    if (!parsed) return false;
    this.constraints = parsed;
    return true;
  }
  check(n: NodeInfo): boolean {
    return nodeMatchesConstraints(this.constraints, n.node);
  }
  explain(nodes: number): string {
    return onNodes('scheduling constraints not satisfied', nodes);
  }
}

function normalizeArch(arch: string | undefined): string {
  if (arch === 'x86_64') return 'amd64';
  if (arch === 'aarch64') return 'arm64';
  return arch ?? '';
}

export class PlatformFilter implements Filter {
  private platforms: Platform[] = [];
  setTask(t: TaskToPlace): boolean {
    this.platforms = t.task.Spec?.Placement?.Platforms ?? [];
    return this.platforms.length > 0;
  }
  check(n: NodeInfo): boolean {
    const nodePlatform = n.node.Description?.Platform;
    if (!nodePlatform) return false;
    const nodeArch = normalizeArch(nodePlatform.Architecture);
    return this.platforms.some((p) => {
      const arch = normalizeArch(p.Architecture);
      const os = p.OS ?? '';
      return (arch === '' || arch === nodeArch) && (os === '' || os === nodePlatform.OS);
    });
  }
  explain(nodes: number): string {
    return onNodes('unsupported platform', nodes);
  }
}

export class HostPortFilter implements Filter {
  private ports: readonly string[] = [];
  setTask(t: TaskToPlace): boolean {
    this.ports = t.hostPorts;
    return this.ports.length > 0;
  }
  check(n: NodeInfo): boolean {
    return this.ports.every((p) => !n.usedHostPorts.has(p));
  }
  explain(nodes: number): string {
    return onNodes('host-mode port already in use', nodes);
  }
}

export class MaxReplicasFilter implements Filter {
  private max = 0;
  private serviceId = '';
  setTask(t: TaskToPlace): boolean {
    this.max = t.task.Spec?.Placement?.MaxReplicas ?? 0;
    this.serviceId = t.task.ServiceID;
    return this.max > 0;
  }
  check(n: NodeInfo): boolean {
    return activeTasksOfService(n, this.serviceId) < this.max;
  }
  explain(): string {
    return 'max replicas per node limit exceed';
  }
}
