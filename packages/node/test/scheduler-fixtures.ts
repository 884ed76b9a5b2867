// Builders for the scheduler and orchestrator tests: nodes, services and tasks in Docker's JSON
// shapes with only the fields a test cares about spelled out.

import type { Node, PlacementPreference, RestartPolicy, Service, Task, TaskState, UpdateConfig } from '@swarmlab/api';
import { toDockerTime } from '../src/clock.js';
import { newTask } from '../src/manager/orchestrator/index.js';

export const T0 = Date.parse('2026-11-26T09:00:00Z');
export const SECOND_MS = 1000;
export const NS = 1_000_000; // nanoseconds per ms

export function idGenerator(prefix = 'new'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export interface NodeOptions {
  hostname?: string;
  role?: 'manager' | 'worker';
  availability?: 'active' | 'pause' | 'drain';
  state?: 'ready' | 'down' | 'unknown' | 'disconnected';
  labels?: Record<string, string>;
  engineLabels?: Record<string, string>;
  nanoCPUs?: number;
  memoryBytes?: number;
  os?: string;
  arch?: string;
  addr?: string;
  updatedAt?: number;
}

export function node(id: string, o: NodeOptions = {}): Node {
  const time = toDockerTime(o.updatedAt ?? T0);
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: time,
    UpdatedAt: time,
    Spec: { Labels: o.labels ?? {}, Role: o.role ?? 'worker', Availability: o.availability ?? 'active' },
    Description: {
      Hostname: o.hostname ?? `host-${id}`,
      Platform: { Architecture: o.arch ?? 'x86_64', OS: o.os ?? 'linux' },
      Resources: { NanoCPUs: o.nanoCPUs ?? 4e9, MemoryBytes: o.memoryBytes ?? 8 * 2 ** 30 },
      Engine: {
        EngineVersion: '28.2.2',
        Labels: o.engineLabels,
        Plugins: [
          { Type: 'Log', Name: 'json-file' },
          { Type: 'Network', Name: 'overlay' },
          { Type: 'Volume', Name: 'local' },
        ],
      },
      TLSInfo: { TrustRoot: '', CertIssuerSubject: '', CertIssuerPublicKey: '' },
    },
    Status: { State: o.state ?? 'ready', Addr: o.addr ?? '127.0.0.1' },
  };
}

export interface ServiceOptions {
  replicas?: number;
  global?: boolean;
  constraints?: string[];
  preferences?: string[];
  maxReplicas?: number;
  nanoCPUs?: number;
  memoryBytes?: number;
  restart?: RestartPolicy;
  image?: string;
  hostPort?: number;
  platforms?: { OS?: string; Architecture?: string }[];
  updateConfig?: Partial<UpdateConfig>;
  rollbackConfig?: Partial<UpdateConfig>;
}

export function service(id: string, o: ServiceOptions = {}): Service {
  const placement: NonNullable<Service['Spec']['TaskTemplate']['Placement']> = {};
  if (o.constraints) placement.Constraints = o.constraints;
  if (o.preferences) placement.Preferences = o.preferences.map((d): PlacementPreference => ({ Spread: { SpreadDescriptor: d } }));
  if (o.maxReplicas) placement.MaxReplicas = o.maxReplicas;
  if (o.platforms) placement.Platforms = o.platforms;
  const reservations = o.nanoCPUs || o.memoryBytes ? { NanoCPUs: o.nanoCPUs, MemoryBytes: o.memoryBytes } : {};
  const s: Service = {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: toDockerTime(T0),
    UpdatedAt: toDockerTime(T0),
    Spec: {
      Name: `svc-${id}`,
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: o.image ?? 'busybox:local', Args: ['sleep', '3600'], Init: false, DNSConfig: {}, Isolation: 'default' },
        Resources: { Limits: {}, Reservations: reservations },
        ...(o.restart ? { RestartPolicy: o.restart } : {}),
        Placement: placement,
        ForceUpdate: 0,
        Runtime: 'container',
      },
      Mode: o.global ? { Global: {} } : { Replicated: { Replicas: o.replicas ?? 1 } },
      ...(o.updateConfig ? { UpdateConfig: { Parallelism: 1, MaxFailureRatio: 0, Order: 'stop-first', ...o.updateConfig } } : {}),
      ...(o.rollbackConfig ? { RollbackConfig: { Parallelism: 1, MaxFailureRatio: 0, Order: 'stop-first', ...o.rollbackConfig } } : {}),
      EndpointSpec: { Mode: 'vip' },
    },
    Endpoint: { Spec: {} },
  };
  if (o.hostPort) {
    const ports = [{ Protocol: 'tcp' as const, TargetPort: 80, PublishedPort: o.hostPort, PublishMode: 'host' as const }];
    s.Spec.EndpointSpec = { Mode: 'vip', Ports: ports };
    s.Endpoint = { Spec: { Mode: 'vip', Ports: ports }, Ports: ports };
  }
  return s;
}

export interface TaskOptions {
  id: string;
  slot?: number;
  nodeId?: string;
  state?: TaskState;
  desired?: TaskState;
  createdAt?: number;
  /** Status.Timestamp (ms); defaults to createdAt. */
  at?: number;
  err?: string;
}

/** A task of the service as the orchestrator would have made it, then moved to `state`. */
export function task(svc: Service, o: TaskOptions): Task {
  const created = o.createdAt ?? T0;
  const t = newTask(svc, {
    id: o.id,
    now: created,
    ...(svc.Spec.Mode.Global ? { nodeId: o.nodeId } : { slot: o.slot ?? 1 }),
  });
  if (!svc.Spec.Mode.Global && o.nodeId) t.NodeID = o.nodeId;
  t.Status = { Timestamp: toDockerTime(o.at ?? created), State: o.state ?? 'running', Message: o.state ?? 'running', PortStatus: {} };
  if (o.err) t.Status.Err = o.err;
  t.DesiredState = o.desired ?? 'running';
  return t;
}

/** A task as the scheduler finds it: PENDING, no node. */
export function pendingTask(svc: Service, id: string, slot = 1): Task {
  const t = task(svc, { id, slot, state: 'pending' });
  delete t.NodeID;
  return t;
}
