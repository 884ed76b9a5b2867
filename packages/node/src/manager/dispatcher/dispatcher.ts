// The dispatcher on the leader (SwarmKit manager/dispatcher): agents register a session, then
// heartbeat at the period it returns (± jitter); a node that misses 3 periods is Down. On a
// leadership change every node that is not Down becomes Unknown and has 6 periods to come back.
// Sessions carry what agents must follow: their node object, the managers, the gossip keys, and
// their tasks — complete at registration, then only what changed (assignments.ts) — and the routing
// mesh's table and the service records whenever they change (ingress-table.ts, service-records.ts).
// Agents' status reports are committed in batches, one commit at a time.

import { randomBytes } from 'node:crypto';
import { grpcError } from '../../errors.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import { signingRoot, trustBundle } from '../ca/rotation.js';
import type { GossipKey, NodeObject, NodeState } from '../objects.js';
import type { StoreEvent, StoredObject } from '../../store/memory.js';
import { isNetworkAttachmentTask, taskStateRank, type TaskState } from '@swarmlab/api';
import { AssignmentSet, mayConcernAgent, type AssignableTask } from './assignments.js';
import { heartbeatPeriodMs } from './period.js';
import { ingressPorts, ingressTable, TableVersions, type IngressInputs, type IngressService } from './ingress-table.js';
import { serviceRecords, type RecordInputs, type ServiceRecord } from './service-records.js';

type TaskObject = StoredObject & AssignableTask & {
  ServiceID: string;
  Spec: { ContainerSpec?: { Secrets?: { SecretID: string }[]; Configs?: { ConfigID: string }[] } };
};

function attachesNetworks(svc: RecordInputs['services'][number]): boolean {
  return (svc.Spec.TaskTemplate?.Networks?.length ?? 0) > 0 || (svc.Spec.Networks?.length ?? 0) > 0;
}

/** Services, networks, node addresses and tasks that start or stop running are what the network tables are made of. */
function mayChangeNetworkTables(ev: StoreEvent): boolean {
  if (ev.table === 'service' || ev.table === 'network') return true;
  if (ev.table === 'node') return ev.action !== 'update' || (ev.old as NodeObject | undefined)?.Status.Addr !== (ev.object as NodeObject).Status.Addr;
  if (ev.table !== 'task') return false;
  const running = (t: unknown) => (t as { Status?: { State?: string } } | undefined)?.Status?.State === 'running';
  // A container's network attachment resolves by its name as soon as it exists (and no longer once deleted).
  const attachment = (t: unknown) => t !== undefined && isNetworkAttachmentTask(t as Parameters<typeof isNetworkAttachmentTask>[0]);
  return running(ev.object) || running(ev.old) || attachment(ev.object) || attachment(ev.old);
}

function isForwardState(current: string, next: string): boolean {
  return taskStateRank(next as TaskState) >= taskStateRank(current as TaskState);
}

/** A task as its node's agent receives it, with the secrets and configs it uses. */
export interface Assignment {
  task: Record<string, unknown>;
  serviceName: string;
  serviceLabels: Record<string, string>;
  /** The ports the service's containers listen on (its endpoint's target ports), and how they are published. */
  ports: { targetPort: number; protocol: 'tcp' | 'udp'; publishMode?: 'ingress' | 'host'; publishedPort?: number }[];
  secrets: { id: string; name: string; data: string }[];
  configs: { id: string; name: string; data: string }[];
}

/** What a node's agent knows from its session: its node object, its tasks, the cluster's managers and keys. */
export interface SessionUpdate {
  node: Record<string, unknown>;
  /** Every task assigned to the node (state ≥ assigned). */
  tasks: Assignment[];
  managers: { nodeId: string; addr: string }[];
  gossipKeys: GossipKey[];
  /** The roots to trust (both during a root rotation), PEM. */
  rootCA: string;
  /** The root whose key signs certificates now: a node whose certificate it did not sign renews. */
  signingCA: string;
  /** Removed nodes every node must refuse on its links. */
  blacklist: string[];
  /** The routing mesh's and service discovery's tables, when they changed since the agent last got them (absent: unchanged). */
  network?: NetworkUpdate;
}

/** The routing mesh's table, the service records, and the port of the data path that carries their traffic between nodes. */
export interface NetworkUpdate {
  dataPathPort: number;
  ingress: IngressService[];
  records: ServiceRecord[];
}

interface NetworkTables {
  ingress: IngressService[];
  records: ServiceRecord[];
}

/** The registration reply: the session and the complete state, all tasks included. */
export interface SessionInfo extends SessionUpdate {
  sessionId: string;
  periodMs: number;
}

/**
 * What the leader pushes to a connected agent (SwarmKit SessionMessage + AssignmentsMessage):
 * with `assignments` `complete`, `tasks` is the whole set; with `incremental`, only the tasks
 * that changed, and `removed` names those the agent must drop.
 */
export interface SessionMessage extends SessionUpdate {
  assignments: 'complete' | 'incremental';
  removed: string[];
}

/** How the leader pushes session messages to a connected agent, in order. */
export type SessionSink = (message: SessionMessage) => void;

interface Session {
  nodeId: string;
  sessionId: string;
  sink: SessionSink;
  expiry: NodeJS.Timeout | undefined;
  registrations: number[];
  /** The tasks its agent holds. */
  assigned: AssignmentSet<TaskObject>;
  /** Tasks changed since the last push that may concern the agent. */
  changed: Set<string>;
  /** A push failed: the agent may have missed changes, so the next push is complete. */
  resync: boolean;
  /** The version of the network tables the agent was sent last. */
  networkVersion: number;
}

/** Docker's default VXLAN port. */
const DEFAULT_DATA_PATH_PORT = 4789;

export const MSG_HEARTBEAT_FAILURE = 'heartbeat failure';
export const MSG_UNKNOWN_AFTER_LEADER_CHANGE = 'Node moved to "unknown" state due to leadership change in cluster';
export const MSG_UNKNOWN_FAILURE = 'heartbeat failure for node in "unknown" state';

export class Dispatcher {
  private sessions = new Map<string, Session>();
  private unknownTimers = new Map<string, NodeJS.Timeout>();
  private running = false;
  private readonly onStoreChange = (ev: StoreEvent) => {
    if (!this.running) return;
    if (ev.table === 'node') this.pushSoon(ev.object.ID);
    else if (ev.table === 'cluster') for (const id of this.sessions.keys()) this.pushSoon(id);
    else if (ev.table === 'task') this.noteTaskChange(ev);
    if (mayChangeNetworkTables(ev)) this.refreshNetworkSoon();
  };
  private readonly onMembers = () => {
    if (this.running) for (const id of this.sessions.keys()) this.pushSoon(id);
  };

  constructor(private readonly ctx: ManagerContext) {}

  /** Starts serving after this manager became leader. */
  async start(): Promise<void> {
    // Sessions are refused until every node is marked Unknown, so a registration that comes in
    // meanwhile cannot be overwritten by the marking.
    this.running = true;
    this.accepting = false;
    this.ctx.store.on('change', this.onStoreChange);
    this.ctx.raft.on('members', this.onMembers);
    this.refreshNetwork();
    await this.markNodesUnknown();
    this.accepting = true;
  }

  private accepting = false;

  stop(): void {
    this.running = false;
    this.ctx.store.off('change', this.onStoreChange);
    this.ctx.raft.off('members', this.onMembers);
    for (const s of this.sessions.values()) if (s.expiry) clearTimeout(s.expiry);
    this.sessions.clear();
    for (const t of this.pushTimers.values()) clearImmediate(t);
    this.pushTimers.clear();
    if (this.statusTimer) clearImmediate(this.statusTimer);
    this.statusTimer = undefined;
    if (this.networkTimer) clearImmediate(this.networkTimer);
    this.networkTimer = undefined;
    if (this.statusRetry) clearTimeout(this.statusRetry);
    this.statusRetry = undefined;
    this.pendingStatus.clear();
    for (const t of this.unknownTimers.values()) clearTimeout(t);
    this.unknownTimers.clear();
  }

  private periodMs(): number {
    return heartbeatPeriodMs(clusterOf(this.ctx).Spec.Dispatcher.HeartbeatPeriod, this.ctx.profile, this.sessions.size, this.ctx.clock.scale);
  }

  private jitteredPeriod(): number {
    const eps = this.ctx.profile.dispatcherJitterMs;
    return this.periodMs() + (Math.random() * 2 - 1) * eps;
  }

  /** A new leader does not know who is alive: everyone not Down is Unknown until it re-registers. */
  private async markNodesUnknown(): Promise<void> {
    const changes = [];
    for (const n of this.ctx.store.list<NodeObject>('node')) {
      if (n.Status.State === 'down' || n.ID === this.ctx.nodeId) continue;
      changes.push({
        action: 'patch' as const,
        table: 'node' as const,
        id: n.ID,
        set: { Status: { ...n.Status, State: 'unknown', Message: MSG_UNKNOWN_AFTER_LEADER_CHANGE } },
      });
      this.unknownTimers.set(
        n.ID,
        this.ctx.clock.setTimeout(() => void this.setState(n.ID, 'down', MSG_UNKNOWN_FAILURE), this.periodMs() * this.ctx.profile.unknownGraceMultiplier),
      );
    }
    if (changes.length > 0) {
      try {
        await commit(this.ctx, changes);
      } catch (e) {
        this.ctx.log('warn', 'dispatcher: could not mark nodes unknown', { err: String(e) });
      }
    }
    // The leader's own agent is local and alive.
    await this.setState(this.ctx.nodeId, 'ready');
  }

  register(nodeId: string, addr: string, sink: SessionSink): SessionInfo {
    if (!this.running) throw grpcError('Unavailable', 'dispatcher is stopped');
    if (!this.accepting) throw grpcError('Unavailable', 'dispatcher is starting');
    const node = this.ctx.store.get<NodeObject>('node', nodeId);
    if (!node) throw grpcError('NotFound', `node ${nodeId} not found`);
    const now = this.ctx.clock.now();
    const prev = this.sessions.get(nodeId);
    const registrations = (prev?.registrations ?? []).filter((t) => now - t < 8000 * (this.periodMs() / 5000));
    if (registrations.length >= 3) throw grpcError('Unavailable', `node ${nodeId} exceeded rate limit count of registrations`);
    if (prev?.expiry) clearTimeout(prev.expiry);
    const session: Session = {
      nodeId,
      sessionId: randomBytes(12).toString('hex'),
      sink,
      expiry: undefined,
      registrations: [...registrations, now],
      assigned: new AssignmentSet(nodeId),
      changed: new Set(),
      resync: false,
      networkVersion: this.network.current.version,
    };
    this.sessions.set(nodeId, session);
    const t = this.unknownTimers.get(nodeId);
    if (t) clearTimeout(t);
    this.unknownTimers.delete(nodeId);
    this.armExpiry(session, this.periodMs());
    void this.setState(nodeId, 'ready', undefined, addr);
    const tasks = session.assigned.complete(this.ctx.store.list<TaskObject>('task')).map((t) => this.assignment(t));
    return { sessionId: session.sessionId, periodMs: this.jitteredPeriod(), ...this.sessionState(nodeId), tasks, network: this.networkUpdate() };
  }

  heartbeat(nodeId: string, sessionId: string): { periodMs: number } {
    const s = this.sessions.get(nodeId);
    if (!s || s.sessionId !== sessionId) throw grpcError('InvalidArgument', 'session invalid');
    const period = this.jitteredPeriod();
    this.armExpiry(s, period);
    // A push that failed is retried as a complete one.
    if (s.resync) this.pushSoon(nodeId);
    // A heartbeat proves the node alive, whatever a racing write said.
    if (this.ctx.store.get<NodeObject>('node', nodeId)?.Status.State !== 'ready') void this.setState(nodeId, 'ready');
    return { periodMs: period };
  }

  /**
   * Marks the node Down once its heartbeats stop for `gracePeriodMultiplier` periods. Time this
   * leader itself spent too busy to read its sockets does not count against the node: a deadline
   * first lets the heartbeats that wait unread in the sockets in (setImmediate runs after the
   * event loop's I/O phase), and one that fired late by a quarter of the grace or more is extended
   * by as much. Without this, a burst such as 1,000 tasks starting at once stalled the leader's
   * loop past 750 ms (the fast profile's grace) and every worker went Down and came back, its
   * tasks moved elsewhere for nothing.
   */
  private armExpiry(s: Session, period: number, graceMs = period * this.ctx.profile.gracePeriodMultiplier): void {
    if (s.expiry) clearTimeout(s.expiry);
    const due = this.ctx.clock.now() + graceMs;
    const timer = this.ctx.clock.setTimeout(() => {
      setImmediate(() => {
        if (this.sessions.get(s.nodeId) !== s || s.expiry !== timer) return; // a heartbeat came in
        const late = this.ctx.clock.now() - due;
        if (late >= graceMs / 4) return this.armExpiry(s, period, late);
        this.sessions.delete(s.nodeId);
        void this.setState(s.nodeId, 'down', MSG_HEARTBEAT_FAILURE);
      });
    }, graceMs);
    s.expiry = timer;
  }

  private async setState(nodeId: string, state: NodeState, message?: string, addr?: string): Promise<void> {
    if (!this.running) return;
    const n = this.ctx.store.get<NodeObject>('node', nodeId);
    if (!n) return;
    if (n.Status.State === state && n.Status.Message === message && (!addr || n.Status.Addr === addr)) return;
    const status = { State: state, ...(message ? { Message: message } : {}), Addr: addr ?? n.Status.Addr };
    try {
      await commit(this.ctx, [{ action: 'patch', table: 'node', id: nodeId, set: { Status: status } }]);
    } catch (e) {
      this.ctx.log('warn', 'dispatcher: node status update failed', { nodeId, state, err: String(e) });
    }
  }

  /** A task as its agent receives it, with its service's name, labels and ports and its secrets and configs. */
  private assignment(t: TaskObject): Assignment {
    const blob = (table: 'secret' | 'config', id: string) => {
      const o = this.ctx.store.get<StoredObject & { Spec: { Name: string; Data?: string } }>(table, id);
      return o ? [{ id: o.ID, name: o.Spec.Name, data: o.Spec.Data ?? '' }] : [];
    };
    const service = this.ctx.store.get<
      StoredObject & { Spec: { Name: string; Labels?: Record<string, string> }; Endpoint?: { Ports?: { TargetPort: number; Protocol?: string; PublishMode?: string; PublishedPort?: number }[] } }
    >(
      'service',
      t.ServiceID,
    );
    return {
      task: t,
      serviceName: service?.Spec.Name ?? '',
      serviceLabels: service?.Spec.Labels ?? {},
      ports: (service?.Endpoint?.Ports ?? []).map((p) => ({
        targetPort: p.TargetPort,
        protocol: p.Protocol === 'udp' ? 'udp' : 'tcp',
        publishMode: p.PublishMode === 'host' ? 'host' : 'ingress',
        publishedPort: p.PublishedPort ?? 0,
      })),
      secrets: (t.Spec.ContainerSpec?.Secrets ?? []).flatMap((r) => blob('secret', r.SecretID)),
      configs: (t.Spec.ContainerSpec?.Configs ?? []).flatMap((r) => blob('config', r.ConfigID)),
    };
  }

  /** The session's part that is not tasks: the node object, the managers, the keys. */
  private sessionState(nodeId: string): Omit<SessionUpdate, 'tasks'> {
    const cluster = clusterOf(this.ctx);
    const node = this.ctx.store.get<NodeObject>('node', nodeId);
    return {
      node: (node ?? {}) as Record<string, unknown>,
      managers: [...this.ctx.raft.members.values()].map((m) => ({ nodeId: m.nodeId, addr: m.addr })),
      gossipKeys: cluster.secrets.gossipKeys,
      rootCA: trustBundle(cluster),
      signingCA: signingRoot(cluster).certPem,
      blacklist: cluster.secrets.blacklist.map((b) => b.nodeId),
    };
  }

  /** Remembers a task change for the agents of the nodes it concerns (the old and the new one). */
  private noteTaskChange(ev: StoreEvent): void {
    const now = ev.action === 'delete' ? undefined : (ev.object as TaskObject);
    const old = ev.action === 'delete' ? (ev.object as TaskObject) : (ev.old as TaskObject | undefined);
    for (const nodeId of new Set([now?.NodeID, old?.NodeID])) {
      if (!nodeId) continue;
      const s = this.sessions.get(nodeId);
      if (!s || !mayConcernAgent(nodeId, now, old)) continue;
      s.changed.add(ev.object.ID);
      this.pushSoon(nodeId);
    }
  }

  private readonly network = new TableVersions<NetworkTables>({ ingress: [], records: [] });
  private networkTimer: NodeJS.Immediate | undefined;

  /** Recomputes the network tables once for a burst of changes. */
  private refreshNetworkSoon(): void {
    this.networkTimer ??= setImmediate(() => {
      this.networkTimer = undefined;
      if (this.running) this.refreshNetwork();
    });
  }

  private networkUpdate(): NetworkUpdate {
    return { dataPathPort: clusterOf(this.ctx).DataPathPort || DEFAULT_DATA_PATH_PORT, ...this.network.current.table };
  }

  /** Every agent gets the tables again when they changed. */
  private refreshNetwork(): void {
    const services = this.ctx.store.list<StoredObject & IngressInputs['services'][number] & RecordInputs['services'][number]>('service');
    const networks = this.ctx.store.list<StoredObject & RecordInputs['networks'][number] & { Spec: { Attachable?: boolean } }>('network');
    // Most swarms publish nothing and attach no service or container to a network: then the tasks need not be read.
    const relevant =
      services.some((svc) => ingressPorts(svc).length > 0 || (svc.Endpoint?.VirtualIPs?.length ?? 0) > 0 || attachesNetworks(svc)) || networks.some((n) => n.Spec.Attachable);
    let tables: NetworkTables = { ingress: [], records: [] };
    if (relevant) {
      const tasks = this.ctx.store.list<StoredObject & IngressInputs['tasks'][number] & RecordInputs['tasks'][number]>('task');
      const nodes = this.ctx.store.list<NodeObject>('node');
      tables = { ingress: ingressTable({ services, tasks, nodes }), records: serviceRecords({ services, tasks, nodes, networks }) };
    }
    if (this.network.update(tables)) for (const id of this.sessions.keys()) this.pushSoon(id);
  }

  private pushTimers = new Map<string, NodeJS.Immediate>();

  /** One push per node for a burst of changes (a whole committed transaction applies at once). */
  private pushSoon(nodeId: string): void {
    if (this.pushTimers.has(nodeId) || !this.sessions.has(nodeId)) return;
    this.pushTimers.set(
      nodeId,
      setImmediate(() => {
        this.pushTimers.delete(nodeId);
        this.push(nodeId);
      }),
    );
  }

  /** Sends the agent its session state and the changes to its tasks since the last push. */
  private push(nodeId: string): void {
    const s = this.sessions.get(nodeId);
    if (!s) return;
    let message: SessionMessage;
    const resync = s.resync;
    try {
      if (resync) {
        const tasks = s.assigned.complete(this.ctx.store.list<TaskObject>('task')).map((t) => this.assignment(t));
        message = { ...this.sessionState(nodeId), tasks, assignments: 'complete', removed: [] };
      } else {
        const diff = s.assigned.diff(s.changed, (id) => this.ctx.store.get<TaskObject>('task', id));
        message = { ...this.sessionState(nodeId), tasks: diff.updated.map((t) => this.assignment(t)), assignments: 'incremental', removed: diff.removed };
      }
      if (resync || s.networkVersion !== this.network.current.version) message.network = this.networkUpdate();
      s.networkVersion = this.network.current.version;
      s.changed.clear();
      s.resync = false;
    } catch (e) {
      this.ctx.log('warn', 'dispatcher: session state unavailable', { nodeId, err: String(e) });
      return;
    }
    try {
      s.sink(message);
    } catch (e) {
      s.resync = true;
      this.ctx.log('warn', 'dispatcher: session push failed', { nodeId, err: String(e) });
    }
  }

  /**
   * An agent reports task states. Only its own tasks, only forward (SwarmKit drops backward
   * updates); applied in batches.
   */
  updateTaskStatus(nodeId: string, sessionId: string, updates: { taskId: string; status: Record<string, unknown> }[]): void {
    const s = this.sessions.get(nodeId);
    if (!s || s.sessionId !== sessionId) throw grpcError('InvalidArgument', 'session invalid');
    for (const u of updates) {
      const t = this.ctx.store.get<StoredObject & { NodeID?: string; Status: { State: string } }>('task', u.taskId);
      if (!t) continue;
      if (t.NodeID !== nodeId) throw grpcError('PermissionDenied', 'cannot update a task not assigned this node');
      this.pendingStatus.set(u.taskId, u.status);
    }
    this.flushStatusSoon();
  }

  /** Reported statuses not committed yet, the latest per task (SwarmKit keeps one per task too). */
  private pendingStatus = new Map<string, Record<string, unknown>>();
  private statusTimer: NodeJS.Immediate | undefined;
  private committingStatus = false;
  private statusRetry: NodeJS.Timeout | undefined;

  /**
   * One status commit at a time: what agents report meanwhile waits for the next one, so the
   * batches grow with the load instead of each report costing a Raft round and an orchestration
   * round (SwarmKit batches status updates the same way).
   */
  private flushStatusSoon(): void {
    if (this.statusTimer || this.committingStatus || this.pendingStatus.size === 0 || !this.running) return;
    this.statusTimer = setImmediate(() => void this.flushStatus());
  }

  private async flushStatus(): Promise<void> {
    this.statusTimer = undefined;
    if (!this.running) return;
    const batch = [...this.pendingStatus];
    this.pendingStatus.clear();
    const changes = [];
    for (const [taskId, status] of batch) {
      const t = this.ctx.store.get<StoredObject & { Status: { State: string } }>('task', taskId);
      if (!t || !isForwardState(t.Status.State, String(status.State))) continue;
      changes.push({ action: 'patch' as const, table: 'task' as const, id: taskId, set: { Status: status } });
    }
    if (changes.length === 0) return;
    this.committingStatus = true;
    let failed = false;
    try {
      await commit(this.ctx, changes);
    } catch (e) {
      failed = true;
      this.ctx.log('warn', 'dispatcher: task status update failed', { err: String(e) });
      // One task deleted meanwhile refuses the whole batch: the reports go again, shortly, and
      // the next flush leaves out those of tasks that are gone (newer reports win).
      if (this.running) for (const [taskId, status] of batch) if (!this.pendingStatus.has(taskId)) this.pendingStatus.set(taskId, status);
    } finally {
      this.committingStatus = false;
      if (!failed) this.flushStatusSoon();
      else if (this.running && !this.statusRetry) {
        this.statusRetry = this.ctx.clock.setTimeout(() => {
          this.statusRetry = undefined;
          this.flushStatusSoon();
        }, this.ctx.profile.raftTickMs * 5);
      }
    }
  }

  /** A node whose session link closed: it keeps its state until the heartbeat TTL says Down. */
  disconnect(nodeId: string, sessionId: string): void {
    const s = this.sessions.get(nodeId);
    if (s && s.sessionId === sessionId) s.sink = () => {};
  }
}
