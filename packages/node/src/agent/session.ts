// The agent's session with the leader's dispatcher (SwarmKit agent/session.go): dial a known
// manager, register (a follower answers with the leader's address and we go there), then
// heartbeat at the period the dispatcher returns. Any failure ends the session and the agent
// starts a new one after a jittered back-off (min(100 ms + 2·prev, 8 s), random in [0, backoff)).

import { taskStateRank, type TaskState } from '@swarmlab/api';
import { dial, type Link, type Nic, type SecurityConfig } from '@swarmlab/transport';
import type { EmulatedClock } from '../clock.js';
import type { TimingProfile } from '../profile.js';
import type { Assignment, SessionInfo, SessionMessage, SessionUpdate } from '../manager/dispatcher/dispatcher.js';
import type { LogPublisher } from './log-publisher.js';
import { ApiError, toApiError } from '../errors.js';

export interface AgentOptions {
  nic: Nic;
  security: SecurityConfig;
  clock: EmulatedClock;
  profile: TimingProfile;
  /** This node's advertised address (host only). */
  addr: string;
  /** Managers to try, as host:port. */
  managers: () => string[];
  onUpdate: (u: SessionUpdate) => void;
  onSession?: (state: 'up' | 'down', leaderAddr?: string) => void;
  /** Serves the leader's log subscriptions (docker service logs). */
  logs?: LogPublisher;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

function stateRank(state: unknown): number {
  return typeof state === 'string' ? taskStateRank(state as TaskState) : -1;
}

type Reply<T> = { ok: true; value: T } | { ok: false; redirect?: string | null; error?: { message: string } };

export class Agent {
  private running = false;
  private link: Link | undefined;
  private backoffMs = 0;
  /** The heartbeat period the dispatcher last handed out (emulated ms); it scales timeouts and back-off. */
  private periodMs: number | undefined;
  private preferred: string | undefined;
  private wake: (() => void) | undefined;
  /** Address of the manager holding our session (the leader), if any. */
  leaderAddr: string | undefined;
  private sessionId: string | undefined;
  /** Task status reports not yet accepted by the leader, by task (the latest wins). */
  private unsent = new Map<string, Record<string, unknown>>();
  private sending = false;
  /** The tasks the session assigned us, by ID, as the leader's complete and incremental messages build them up. */
  private assignments = new Map<string, Assignment>();
  /** Session messages that arrived before the registration reply was handled (same link, in order). */
  private early: SessionMessage[] | undefined;
  /**
   * The last status reported for each task we hold. A report the old leader accepted but never
   * committed is lost with it: a complete assignment set showing a task behind what we reported
   * makes us report it again (SwarmKit's worker re-reports its tasks on every new session).
   */
  private reported = new Map<string, Record<string, unknown>>();

  /** Queues task status reports for the leader's dispatcher (resent after a new session). */
  reportStatus(updates: { taskId: string; status: Record<string, unknown> }[]): void {
    for (const u of updates) {
      this.unsent.set(u.taskId, u.status);
      if (this.assignments.has(u.taskId)) this.reported.set(u.taskId, u.status);
    }
    void this.flushStatus();
  }

  private async flushStatus(): Promise<void> {
    if (this.sending || this.unsent.size === 0 || !this.link || this.link.closed || !this.sessionId) return;
    this.sending = true;
    const batch = [...this.unsent].map(([taskId, status]) => ({ taskId, status }));
    this.unsent.clear();
    try {
      const r = (await this.link.request('dispatcher', 'updateTaskStatus', { sessionId: this.sessionId, updates: batch }, { timeoutMs: 5000 })) as Reply<null>;
      if (!r.ok) throw new Error(r.error?.message ?? 'status update refused');
    } catch (e) {
      // Keep what failed unless a newer report for the task arrived meanwhile.
      for (const u of batch) if (!this.unsent.has(u.taskId)) this.unsent.set(u.taskId, u.status);
      this.o.log('info', 'agent: task status not delivered yet', { err: e instanceof Error ? e.message : String(e) });
      this.sending = false;
      if (this.unsent.size > 0) setTimeout(() => void this.flushStatus(), 50);
      return;
    }
    this.sending = false;
    // Reports that came in while this batch was on its way go out at once, as the next batch.
    void this.flushStatus();
  }

  /** Applies a session message to what we hold and hands the complete picture on. */
  private onMessage(m: SessionMessage): void {
    if (this.early) {
      this.early.push(m);
      return;
    }
    if (m.assignments === 'complete') this.assignments.clear();
    for (const id of m.removed ?? []) this.assignments.delete(id);
    for (const a of m.tasks) this.assignments.set(String(a.task.ID), a);
    if (m.assignments === 'complete') this.reportAgainWhereBehind();
    else for (const id of m.removed ?? []) this.reported.delete(id);
    this.o.onUpdate({
      node: m.node,
      tasks: [...this.assignments.values()],
      managers: m.managers,
      gossipKeys: m.gossipKeys,
      rootCA: m.rootCA,
      signingCA: m.signingCA,
      blacklist: m.blacklist,
      ...(m.network ? { network: m.network } : {}),
    });
  }

  /** Queues our last report again for every task the leader's complete set shows behind it; forgets tasks no longer ours. */
  private reportAgainWhereBehind(): void {
    for (const [id, status] of this.reported) {
      const held = this.assignments.get(id);
      if (!held) {
        this.reported.delete(id);
        continue;
      }
      const theirs = (held.task as { Status?: { State?: string } }).Status?.State;
      if (!this.unsent.has(id) && stateRank(status.State) > stateRank(theirs)) this.unsent.set(id, status);
    }
    void this.flushStatus();
  }

  constructor(private readonly o: AgentOptions) {}

  /** A call to the leader's dispatcher over the current session (docker run --network attaches through it). */
  async call<T>(method: string, body: unknown, timeoutMs = 5000): Promise<T> {
    const link = this.link;
    if (!link || !this.sessionId) throw new ApiError(503, "this node has no session with the swarm's leader right now; try again in a moment");
    const r = (await link.request('dispatcher', method, body, { timeoutMs })) as Reply<T>;
    if (r.ok) return r.value;
    if (r.error) throw toApiError(r.error);
    throw new ApiError(503, 'the swarm is changing leaders; try again in a moment');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  stop(): void {
    this.running = false;
    this.o.logs?.cancelAll();
    this.link?.close('agent stopped');
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.o.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** The leader a manager pointed us to, else a random known manager. */
  private pickManager(): string | undefined {
    const preferred = this.preferred;
    // A preferred manager gets one try; if that fails we fall back to the list.
    this.preferred = undefined;
    if (preferred) return preferred;
    const all = this.o.managers();
    return all[Math.floor(Math.random() * all.length)];
  }

  private async run(): Promise<void> {
    while (this.running) {
      const target = this.pickManager();
      if (target) {
        try {
          await this.session(target);
        } catch (e) {
          this.o.log('info', 'agent: session ended', { manager: target, err: e instanceof Error ? e.message : String(e) });
        }
      }
      if (this.leaderAddr) this.o.onSession?.('down');
      this.leaderAddr = undefined;
      this.link?.close('session ended');
      this.link = undefined;
      // Log reads belong to the session that asked for them.
      this.o.logs?.cancelAll();
      if (!this.running) break;
      // SwarmKit's agent back-off, scaled to the heartbeat period (it is 8 s at most with 5 s heartbeats).
      const scale = this.period() / 5000;
      this.backoffMs = Math.min(100 * scale + 2 * this.backoffMs, 8000 * scale);
      await this.sleep(Math.random() * this.backoffMs);
    }
  }

  private async session(target: string): Promise<void> {
    const [host, portText] = target.split(':');
    // SwarmKit's agent gives its RPCs 5 s, one default period: here one period (at least 500 ms).
    const timeoutMs = (): number => Math.max(500, this.o.clock.toReal(this.period()));
    // Only the current session's link speaks for the leader: a late message of an old one is ignored.
    const fromCurrentLink = (body: unknown) => {
      if (this.link !== undefined && this.link === link) this.onMessage(body as SessionMessage);
    };
    const link: Link = await dial({
      nic: this.o.nic,
      host,
      port: Number(portText || 2377),
      security: this.o.security,
      connectTimeoutMs: timeoutMs(),
      handshakeTimeoutMs: timeoutMs(),
      services: {
        session: { access: 'authenticated', onMessage: fromCurrentLink },
        logs: {
          access: 'managerOnly',
          onMessage: (body) => this.o.logs?.handle(body, (p) => void (!link.closed && link.send('logbroker', p))),
        },
      },
    });
    this.link = link;
    this.early = [];
    let reg: Reply<SessionInfo>;
    try {
      reg = (await link.request('dispatcher', 'register', { addr: this.o.addr }, { timeoutMs: timeoutMs() })) as Reply<SessionInfo>;
    } catch (e) {
      this.early = undefined;
      throw e;
    }
    if (!reg.ok) {
      this.early = undefined;
      // A follower points at the leader; next round goes there directly.
      this.preferred = reg.redirect ?? undefined;
      throw new Error(reg.error?.message ?? (reg.redirect ? `redirected to leader ${reg.redirect}` : 'no leader'));
    }
    this.backoffMs = 0;
    this.leaderAddr = target;
    this.sessionId = reg.value.sessionId;
    // The registration reply carries the complete state; what the leader pushed after it follows.
    const early = this.early ?? [];
    this.early = undefined;
    this.onMessage({ ...reg.value, assignments: 'complete', removed: [] });
    for (const m of early) this.onMessage(m);
    void this.flushStatus();
    this.o.onSession?.('up', target);
    this.periodMs = reg.value.periodMs;
    const sessionId = reg.value.sessionId;
    while (this.running && !link.closed) {
      await this.sleep(this.periodMs);
      if (!this.running || link.closed) break;
      const hb = (await link.request('dispatcher', 'heartbeat', { sessionId }, { timeoutMs: timeoutMs() })) as Reply<{ periodMs: number }>;
      if (!hb.ok) {
        this.preferred = hb.redirect ?? undefined;
        throw new Error(hb.error?.message ?? 'heartbeat refused');
      }
      // Still the leader's session: reconnect here first if it breaks.
      this.preferred = target;
      this.periodMs = hb.value.periodMs;
    }
  }

  private period(): number {
    return this.periodMs ?? this.o.profile.dispatcherHeartbeatMs;
  }
}
