// A manager: the replicated store and Raft on every manager; on the leader also the dispatcher,
// CA signer, key manager and role manager (SwarmKit's becomeLeader). Control calls arriving at a
// follower are forwarded to the leader, reads included, as SwarmKit's raft proxy does; the
// leader serves reads after a ReadIndex round, or within the read lease such a round gave it
// (read-lease.ts), so they are linearizable.

import type { CallContext, Link, RequestHandler, ServiceTable } from '@swarmlab/transport';
import { ApiError, DAEMON, ManagerUnreachable, toApiError } from '../errors.js';
import { clusterOf, type ManagerContext } from './context.js';
import { issueForJoiner, renewForNode, type IssueRequest } from './ca/server.js';
import { findNode, listNodes, removeNode, renderNode, updateNode, type NodeSpecUpdate } from './controlapi/nodes.js';
import { createBlob, inspectBlob, listBlobs, removeBlob, updateBlob, type Kind } from './controlapi/secrets.js';
import { createService, inspectService, inspectTask, listServices, listTasks, removeService, updateService } from './controlapi/services.js';
import { inspectSwarm, unlockKey, updateSwarm, type SwarmUpdateFlags } from './controlapi/swarm.js';
import { networkOps } from './controlapi/networks.js';
import { Dispatcher, type SessionUpdate } from './dispatcher/dispatcher.js';
import { attachNetwork, detachNetwork, type AttachNetworkRequest } from './resourceapi.js';
import { KeyManager } from './keymanager/keymanager.js';
import { LogBroker } from './logbroker/broker.js';
import { logOps } from './logbroker/ops.js';
import { isPublication } from './logbroker/protocol.js';
import { newRaftId } from './raft/members.js';
import { Orchestration } from './orchestration.js';
import { RootRotationReconciler } from './ca/rotation.js';
import { RoleManager } from './rolemanager/rolemanager.js';
import { LOCAL_READS } from '../fault-switches.js';
import { LeaderReadLease, leaderLeaseMs } from './read-lease.js';
import type { NodeObject } from './objects.js';
import type { Message } from '@swarmlab/raft';

/** Control operations and whether they only read (served after a ReadIndex round, or in the read lease). */
type ControlOp = (ctx: ManagerContext, args: any, caller: { nodeId: string | null }) => unknown;

/**
 * A read whose answer is a function of the store alone (not of Raft membership, sessions or the
 * clock): repeated with the same arguments at the same applied index, its last answer is reused.
 */
interface OpDef {
  read: boolean;
  storeOnly?: boolean;
  run: ControlOp;
}

/** Reads remembered at most (the whole memo goes whenever the store moves on). */
const READ_MEMO_ENTRIES = 64;

function blobOps(kind: Kind): Record<string, OpDef> {
  return {
    [`${kind}.create`]: { read: false, run: (c, a) => createBlob(c, kind, a.spec) },
    [`${kind}.list`]: { read: true, storeOnly: true, run: (c, a) => listBlobs(c, kind, a.filters) },
    [`${kind}.inspect`]: { read: true, storeOnly: true, run: (c, a) => inspectBlob(c, kind, a.ref) },
    [`${kind}.update`]: { read: false, run: (c, a) => updateBlob(c, kind, a.ref, a.version, a.spec) },
    [`${kind}.remove`]: { read: false, run: (c, a) => removeBlob(c, kind, a.ref) },
  };
}

export interface LeaderForwarder {
  /** Calls `control.<op>` on the current leader. */
  forward(leaderAddr: string, op: string, args: unknown): Promise<unknown>;
}

export class Manager {
  private dispatcher: Dispatcher;
  private keyManager: KeyManager;
  private roleManager: RoleManager;
  private orchestration: Orchestration;
  private readonly rootRotation: RootRotationReconciler;
  private leading = false;
  /** Each connected agent's session link, by node: the log broker asks agents for lines over it. */
  private readonly agentLinks = new Map<string, Link>();
  private readonly logBroker = new LogBroker((nodeId) => this.agentLinks.get(nodeId), () => Date.now());
  private readonly ops: Record<string, OpDef>;
  private readMemo = { index: -1, answers: new Map<string, unknown>() };
  /** Leader reads skip their ReadIndex round while a recent round still rules out another leader. */
  private readonly readLease: LeaderReadLease;

  constructor(
    readonly ctx: ManagerContext,
    private readonly forwarder: LeaderForwarder,
  ) {
    this.dispatcher = new Dispatcher(ctx);
    this.keyManager = new KeyManager(ctx);
    this.roleManager = new RoleManager(ctx);
    this.orchestration = new Orchestration(ctx);
    this.rootRotation = new RootRotationReconciler(ctx);
    this.readLease = new LeaderReadLease(ctx.raft, leaderLeaseMs(ctx.profile, ctx.clock));
    this.ops = {
      'swarm.inspect': { read: true, run: (c) => inspectSwarm(c) },
      'swarm.update': { read: false, run: (c, a) => updateSwarm(c, a.version, a.spec, a.flags as SwarmUpdateFlags) },
      'swarm.unlockKey': { read: true, run: (c) => unlockKey(c) },
      'node.list': { read: true, run: (c, a) => listNodes(c, a.filters) },
      'node.inspect': { read: true, run: (c, a) => renderNode(c, findNode(c, a.ref)) },
      'node.update': { read: false, run: (c, a) => updateNode(c, a.ref, a.version, a.spec as NodeSpecUpdate) },
      'node.remove': { read: false, run: (c, a) => removeNode(c, a.ref, Boolean(a.force)) },
      'service.create': { read: false, run: (c, a) => createService(c, a.spec) },
      'service.list': { read: true, storeOnly: true, run: (c, a) => listServices(c, a.filters, Boolean(a.status)) },
      'service.inspect': { read: true, storeOnly: true, run: (c, a) => inspectService(c, a.ref, Boolean(a.insertDefaults)) },
      'service.update': { read: false, run: (c, a) => updateService(c, a.ref, a.version, a.spec, Boolean(a.rollback)) },
      'service.remove': { read: false, run: (c, a) => removeService(c, a.ref) },
      'task.list': { read: true, storeOnly: true, run: (c, a) => listTasks(c, a.filters) },
      'task.inspect': { read: true, storeOnly: true, run: (c, a) => inspectTask(c, a.ref) },
      ...blobOps('secret'),
      ...blobOps('config'),
      ...logOps(() => this.logBroker),
      ...networkOps(),
      'ca.issue': { read: false, run: (c, a) => issueForJoiner(c, a as IssueRequest) },
      'ca.renew': {
        read: false,
        run: (c, a, caller) => {
          if (!caller.nodeId) throw DAEMON.invalidJoinToken();
          return renewForNode(c, caller.nodeId, a.csr);
        },
      },
      'raft.join': { read: false, run: (c, a, caller) => this.joinRaft(c, a.addr, caller.nodeId) },
      'cluster.info': {
        read: true,
        run: async (c) => {
          const nodes = c.store.list('node');
          return {
            cluster: await inspectSwarm(c),
            nodes: nodes.length,
            managers: c.raft.members.size,
            remoteManagers: [...c.raft.members.values()].map((m) => ({ NodeID: m.nodeId, Addr: m.addr })),
          };
        },
      },
    };
  }

  start(): void {
    this.ctx.raft.on('leadership', ({ isLeader }: { isLeader: boolean }) => {
      if (isLeader) void this.becomeLeader();
      else this.stopLeading();
    });
    this.ctx.raft.start();
  }

  async stop(): Promise<void> {
    this.stopLeading();
    await this.ctx.raft.stop();
  }

  isLeader(): boolean {
    return this.leading;
  }

  private async becomeLeader(): Promise<void> {
    // SwarmKit announces leadership only once caught up: wait until our term's no-op applied.
    for (;;) {
      if (!this.ctx.raft.isLeader() || this.leading) return;
      try {
        await this.ctx.raft.linearizableRead();
        break;
      } catch {
        // Slow quorum: try again while we are still the leader.
      }
    }
    if (!this.ctx.raft.isLeader() || this.leading) return;
    this.leading = true;
    this.ctx.log('info', 'manager: became leader', { raftId: this.ctx.raft.raftId });
    await this.dispatcher.start();
    this.keyManager.start();
    this.roleManager.start();
    this.orchestration.start();
    this.rootRotation.start();
  }

  private stopLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    this.dispatcher.stop();
    this.keyManager.stop();
    this.roleManager.stop();
    this.orchestration.stop();
    this.rootRotation.stop();
    this.logBroker.stop();
  }

  /** Runs a control operation on the leader, forwarding it there if this manager is not it. */
  async control(op: string, args: unknown, caller: { nodeId: string | null } = { nodeId: null }): Promise<unknown> {
    const def = this.ops[op];
    if (!def) throw new ApiError(400, `unknown control operation ${op}`);
    if (def.read && LOCAL_READS) return await def.run(this.ctx, args ?? {}, caller);
    const deadline = this.ctx.clock.now() + this.ctx.profile.requestTimeoutMs;
    for (;;) {
      if (this.leading && this.ctx.raft.isLeader()) {
        if (def.read && !this.leaseCoversRead()) await this.readBarrier();
        if (def.storeOnly) return this.memoizedRead(op, def, args ?? {}, caller);
        return await def.run(this.ctx, args ?? {}, caller);
      }
      const leader = this.ctx.raft.leaderMember();
      if (leader && leader.raftId !== this.ctx.raft.raftId) {
        // A store-only read is answered here once this manager has applied up to the leader's
        // commit index (etcd's follower ReadIndex): linearizable, and it spreads reads over managers.
        if (def.storeOnly && (await this.followerReadBarrier())) return this.memoizedRead(op, def, args ?? {}, caller);
        try {
          return await this.forwarder.forward(leader.addr, op, { args, caller });
        } catch (e) {
          // The leader we knew is unreachable: unless it changed meanwhile, wait a tick and look again.
          if (!(e instanceof ManagerUnreachable)) throw e;
          if (this.ctx.clock.now() > deadline) throw DAEMON.deadline();
          await new Promise((r) => this.ctx.clock.setTimeout(() => r(undefined), this.ctx.profile.raftTickMs));
          continue;
        }
      }
      if (this.ctx.raft.lostQuorum()) throw DAEMON.noLeader();
      if (this.ctx.clock.now() > deadline) throw DAEMON.deadline();
      await new Promise((r) => this.ctx.clock.setTimeout(() => r(undefined), this.ctx.profile.raftTickMs));
    }
  }

  /** A store-only read, answered from the memo while the store has not moved (same object: the
   * Engine API then reuses its JSON too). */
  private memoizedRead(op: string, def: OpDef, args: unknown, caller: { nodeId: string | null }): unknown {
    const index = this.ctx.store.appliedIndex;
    if (this.readMemo.index !== index) this.readMemo = { index, answers: new Map() };
    const key = `${op} ${JSON.stringify(args)}`;
    if (this.readMemo.answers.has(key)) return this.readMemo.answers.get(key);
    const answer = def.run(this.ctx, args, caller);
    if (this.readMemo.answers.size < READ_MEMO_ENTRIES) this.readMemo.answers.set(key, answer);
    return answer;
  }

  /** Whether a ReadIndex round through the leader completed (false: forward the read instead). */
  private async followerReadBarrier(): Promise<boolean> {
    try {
      await this.ctx.raft.linearizableRead(this.ctx.profile.raftTickMs * this.ctx.profile.electionTick * 2);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether the leader's read lease lets a read skip its round. Not while this manager is being
   * demoted: it hands its leadership over, and the transferee's election ignores the lease.
   */
  private leaseCoversRead(): boolean {
    if (this.ctx.store.get<NodeObject>('node', this.ctx.nodeId)?.Spec.Role === 'worker') return false;
    return this.readLease.holds();
  }

  /** A ReadIndex round; when it confirms this leader it also renews the read lease. */
  private async readBarrier(): Promise<void> {
    try {
      await this.readLease.confirm();
    } catch (e) {
      throw toApiError(e instanceof Error && e.message.startsWith('The swarm') ? DAEMON.noLeader() : e);
    }
  }

  /** A manager that holds a manager certificate asks to become a Raft member. */
  private async joinRaft(ctx: ManagerContext, addr: string, nodeId: string | null): Promise<unknown> {
    if (!nodeId) throw new ApiError(403, 'raft join requires a manager certificate');
    const existing = [...ctx.raft.members.values()].find((m) => m.nodeId === nodeId);
    if (existing) return { raftId: existing.raftId, members: [...ctx.raft.members.values()] };
    const raftId = newRaftId([...ctx.raft.members.keys(), ...ctx.raft.removed]);
    await ctx.raft.addMember({ raftId, nodeId, addr });
    return { raftId, members: [...ctx.raft.members.values()] };
  }

  /** The services this manager offers on 2377. */
  services(): ServiceTable {
    const call = async (op: string, body: unknown, peerNodeId: string | null) => {
      try {
        return { ok: true, value: await this.control(op, body, { nodeId: peerNodeId }) };
      } catch (e) {
        return { ok: false, error: toApiError(e).toJSON() };
      }
    };
    return {
      raft: {
        access: 'managerOnly',
        onMessage: (body, c) => {
          const b = body as { from: number; messages: Message[]; addr?: string };
          if (!b || typeof b.from !== 'number' || !Array.isArray(b.messages)) return;
          const sender = c.peer && typeof b.addr === 'string' ? { nodeId: c.peer.nodeId, addr: b.addr } : undefined;
          this.ctx.raft.receive(b.from, b.messages, sender);
        },
      },
      control: {
        access: 'managerOnly',
        methods: {
          call: (body) => {
            const b = body as { op: string; args: { args: unknown; caller: { nodeId: string | null } } };
            return call(b.op, b.args?.args, b.args?.caller?.nodeId ?? null);
          },
        },
      },
      ca: {
        access: 'unauthenticated',
        methods: {
          rootCA: () => clusterOf(this.ctx).TLSInfo.TrustRoot,
          issue: (body) => call('ca.issue', body, null),
          renew: (body, c) => call('ca.renew', body, c.peer?.nodeId ?? null),
        },
      },
      raftMembership: {
        access: 'managerOnly',
        methods: { join: (body, c) => call('raft.join', body, c.peer?.nodeId ?? null) },
      },
      logbroker: {
        access: 'authenticated',
        onMessage: (body, c) => {
          if (this.leading && c.peer && isPublication(body)) this.logBroker.publish(c.peer.nodeId, body);
        },
      },
      dispatcher: {
        access: 'authenticated',
        methods: {
          register: this.onLeader((body, c) => {
            const nodeId = c.peer!.nodeId;
            const addr = (body as { addr?: string })?.addr ?? c.remoteAddress;
            const info = this.dispatcher.register(nodeId, addr, (u: SessionUpdate) => {
              if (!c.link.closed) c.link.send('session', u);
            });
            c.link.once('close', () => this.dispatcher.disconnect(nodeId, info.sessionId));
            this.agentLinks.set(nodeId, c.link);
            c.link.once('close', () => this.agentLinks.get(nodeId) === c.link && this.agentLinks.delete(nodeId));
            return info;
          }),
          updateTaskStatus: this.onLeader((body, c) => {
            const b = body as { sessionId: string; updates: { taskId: string; status: Record<string, unknown> }[] };
            if (!b || !Array.isArray(b.updates)) throw new ApiError(400, 'updates must be a list');
            this.dispatcher.updateTaskStatus(c.peer!.nodeId, b.sessionId, b.updates);
            return null;
          }),
          // docker run --network on the caller's engine (resourceapi.ts).
          attachNetwork: this.onLeader((body, c) => attachNetwork(this.ctx, c.peer!.nodeId, body as AttachNetworkRequest)),
          detachNetwork: this.onLeader(async (body, c) => {
            await detachNetwork(this.ctx, c.peer!.nodeId, String((body as { attachmentId?: unknown })?.attachmentId ?? ''));
            return null;
          }),
          heartbeat: this.onLeader((body, c) => this.dispatcher.heartbeat(c.peer!.nodeId, (body as { sessionId: string }).sessionId)),
        },
      },
    };
  }

  /**
   * A dispatcher call only the leader answers: any other manager redirects the agent to it; what
   * the call throws goes back as the API error. Synchronous answers stay synchronous.
   */
  private onLeader(handler: (body: unknown, c: CallContext) => unknown): RequestHandler {
    const failed = (e: unknown) => ({ ok: false, error: toApiError(e).toJSON() });
    return (body, c) => {
      if (!this.leading) return { ok: false, redirect: this.ctx.raft.leaderMember()?.addr ?? null };
      try {
        const value = handler(body, c);
        return value instanceof Promise ? value.then((v: unknown) => ({ ok: true, value: v }), failed) : { ok: true, value };
      } catch (e) {
        return failed(e);
      }
    };
  }
}
