// The discrete-event simulation of one seed: raft cores over a simulated network and clock, with
// faults, membership changes, transfers and clients drawn from the seed, and the safety checkers
// run after every step. Faults stop after the fault phase; then a leader must commit a new write
// within a bound of virtual time (liveness).

import { RaftError } from '../src/errors.js';
import { Raft } from '../src/raft.js';
import { SeededRandom } from '../src/rand.js';
import { MemoryStorage } from '../src/storage.js';
import type { Entry, Message, NodeId, ReadState, Snapshot } from '../src/types.js';
import { SafetyChecker } from './checker.js';
import { Clients } from './clients.js';
import { EventQueue } from './event-queue.js';
import { planChange, leaveJoint, type MembershipPlan } from './membership.js';
import { drawParams, TICK, type SimParams } from './params.js';
import { SimNetwork, type DropReason, type NetworkSink } from './network.js';
import { drawPartition } from './partitions.js';
import { SimNode, SimViolation, type CoreFactory, type NodeObserver } from './sim-node.js';
import { Trace } from './trace.js';

export interface SimOptions {
  seed: number;
  /** Builds each Raft core; defaults to the real one. */
  core?: CoreFactory;
  /** How many trace lines a failed run reports (default 50). */
  traceLines?: number;
  /** Keep the trace of a run that passed too. */
  keepTrace?: boolean;
}

export interface SimStats {
  events: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  partitions: number;
  crashes: number;
  membershipChanges: number;
  transfers: number;
  snapshotsInstalled: number;
  elections: number;
  maxTerm: number;
  committed: number;
  proposed: number;
  acked: number;
  reads: number;
  readsServed: number;
  nodes: number;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  violation?: string;
  params: SimParams;
  stats: SimStats;
  /** The last events, oldest first (failed runs, or every run with keepTrace). */
  trace: string[];
  /** A hash of every traced event: equal for two runs of one seed. */
  digest: number;
  /** Virtual time at the end, in ticks. */
  endTick: number;
  /** Ticks from the end of the faults until a new write was acknowledged. */
  livenessTicks?: number;
  /** One line per node describing its state at the end (failed runs, or with keepTrace). */
  nodes: string[];
}

type SimEvent =
  | { kind: 'tick'; node: SimNode; incarnation: number }
  | { kind: 'deliver'; msg: Message }
  | { kind: 'snapStatus'; node: SimNode; incarnation: number; peer: NodeId; ok: boolean }
  | { kind: 'unreachable'; node: SimNode; incarnation: number; peer: NodeId }
  | { kind: 'world' }
  | { kind: 'propose' }
  | { kind: 'read' }
  | { kind: 'heal'; generation: number }
  | { kind: 'ready'; node: SimNode; incarnation: number }
  | { kind: 'crash'; node: SimNode; incarnation: number; downFor: number }
  | { kind: 'restart'; node: SimNode; incarnation: number };

const defaultCore: CoreFactory = (config) => new Raft(config);

export function runSimulation(options: SimOptions): SimResult {
  // The core signals "not the leader" and "entry unavailable" with exceptions, thousands per
  // run; capturing their stack traces costs a fifth of the run. Runs are deterministic, so a run
  // that fails with an unexpected error is simply replayed with stack traces for the report.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let result: SimResult;
  try {
    result = new Simulation(options).run();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (result.violation?.startsWith(CORE_ERROR) && stackTraceLimit > 0) result = new Simulation(options).run();
  return result;
}

const CORE_ERROR = 'core error: ';

class Simulation implements NodeObserver, NetworkSink {
  private readonly params: SimParams;
  private readonly rng: SeededRandom;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly nodeList: SimNode[] = [];
  private readonly trace: Trace;
  private readonly checker = new SafetyChecker();
  private readonly clients = new Clients(this.checker);
  private readonly core: CoreFactory;
  private readonly network: SimNetwork;
  private partitionGeneration = 0;
  private readonly freshIds: NodeId[] = [];
  /** The configuration applied at the highest index so far, and every id ever a member. */
  private latestConfig = { index: 0, voters: [] as NodeId[], members: new Set<NodeId>() };
  private readonly everMember = new Set<NodeId>();
  /** Removed servers shut down for good. */
  private readonly retired = new Set<SimNode>();
  private now = 0;
  private phase: 'faults' | 'liveness' | 'done' = 'faults';
  private livenessStart = 0;
  private livenessTicks: number | undefined;
  private lastProbe = -Infinity;
  /** Sum of the nodes' durable commit indexes, and when it last grew, during the liveness phase. */
  private livenessCommits = 0;
  private lastProgress = 0;
  private readonly stats = {
    events: 0,
    delivered: 0,
    dropped: 0,
    partitions: 0,
    crashes: 0,
    membershipChanges: 0,
    transfers: 0,
    snapshotsInstalled: 0,
  };

  constructor(private readonly options: SimOptions) {
    this.params = drawParams(options.seed);
    this.rng = new SeededRandom(options.seed);
    this.trace = new Trace(options.traceLines ?? 50);
    this.core = options.core ?? defaultCore;
    this.network = new SimNetwork(this.params.network, this.params.maxNodeIds, this.rng, this);
  }

  run(): SimResult {
    let violation: string | undefined;
    try {
      this.boot();
      while (this.phase !== 'done') {
        const ev = this.queue.pop();
        if (!ev) throw new Error('simulation ran out of events');
        this.now = ev.time;
        this.stats.events++;
        this.handle(ev.value);
      }
    } catch (e) {
      violation = e instanceof SimViolation ? e.message : `${CORE_ERROR}${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      this.trace.event(this.now, 'violation', violation.split('\n')[0]);
    }
    const ok = violation === undefined;
    return {
      seed: this.options.seed,
      ok,
      violation,
      params: this.params,
      stats: this.summary(),
      trace: !ok || this.options.keepTrace ? this.trace.lines(TICK) : [],
      digest: this.trace.digest,
      endTick: this.now / TICK,
      livenessTicks: this.livenessTicks,
      nodes: !ok || this.options.keepTrace ? this.nodeList.map((n) => n.describe()) : [],
    };
  }

  private summary(): SimStats {
    let maxTerm = 0;
    for (const n of this.nodeList) maxTerm = Math.max(maxTerm, n.storage.hardStateNow().term);
    const c = this.clients.stats;
    return {
      ...this.stats,
      duplicated: this.network.duplicated,
      elections: this.checker.elections,
      maxTerm,
      committed: this.checker.maxCommitted,
      proposed: c.proposed,
      acked: c.acked,
      reads: c.reads,
      readsServed: c.readsServed,
      nodes: this.nodeList.length,
    };
  }

  // ---- setup -----------------------------------------------------------------------------------

  private boot(): void {
    const founders: NodeId[] = [];
    for (let id = 1; id <= this.params.clusterSize; id++) founders.push(id);
    for (let id = this.params.clusterSize + 1; id <= this.params.maxNodeIds; id++) this.freshIds.push(id);
    this.latestConfig = { index: 0, voters: founders, members: new Set(founders) };
    for (const id of founders) this.everMember.add(id);
    for (const id of founders) this.addServer(id, MemoryStorage.bootstrap(founders));
    this.queue.push(TICK, { kind: 'world' });
  }

  private addServer(id: NodeId, storage: MemoryStorage): SimNode {
    const drift = this.params.faults.clockDrift;
    const period = Math.max(1, Math.round(TICK * (1 + drift * (2 * this.rng.float() - 1))));
    const node = new SimNode(id, storage, period, this.options.seed, this.params.readyDelay, this.params.raft, this.params.workload, this.core, this);
    this.nodes.set(id, node);
    this.nodeList.push(node);
    this.startNode(node);
    return node;
  }

  private startNode(node: SimNode): void {
    node.start();
    this.queue.push(this.now + 1 + this.rng.intn(node.tickPeriod), { kind: 'tick', node, incarnation: node.incarnation });
    this.afterStep(node);
  }

  // ---- the event loop --------------------------------------------------------------------------

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick':
        if (!ev.node.up || ev.node.incarnation !== ev.incarnation) return;
        ev.node.node.tick();
        this.afterStep(ev.node);
        this.queue.push(this.now + ev.node.tickPeriod, ev);
        return;
      case 'deliver':
        this.deliver(ev.msg);
        return;
      case 'snapStatus':
        if (!ev.node.up || ev.node.incarnation !== ev.incarnation) return;
        ev.node.node.reportSnapshot(ev.peer, ev.ok);
        this.afterStep(ev.node);
        return;
      case 'unreachable':
        if (!ev.node.up || ev.node.incarnation !== ev.incarnation) return;
        ev.node.node.reportUnreachable(ev.peer);
        this.afterStep(ev.node);
        return;
      case 'world':
        this.world();
        return;
      case 'propose':
        this.clientWrite();
        return;
      case 'read':
        this.clientRead();
        return;
      case 'heal':
        if (ev.generation !== this.partitionGeneration) return;
        this.network.heal();
        this.trace.event(this.now, 'fault', 'heal partition');
        return;
      case 'ready':
        if (!ev.node.up || ev.node.incarnation !== ev.incarnation) return;
        ev.node.finishPendingReady();
        this.observe(ev.node);
        return;
      case 'crash':
        if (!ev.node.up || ev.node.incarnation !== ev.incarnation || this.phase !== 'faults') return;
        this.crash(ev.node, ev.downFor);
        return;
      case 'restart':
        if (ev.node.up || ev.node.incarnation !== ev.incarnation || this.retired.has(ev.node)) return;
        this.trace.event(this.now, 'fault', `restart ${ev.node.id}`);
        this.startNode(ev.node);
        return;
    }
  }

  /** After any input: check what changed, drain the node's Ready, check again. */
  private afterStep(node: SimNode): void {
    if (!node.up) return;
    if (this.observe(node) && this.crashAtMoment(node)) return;
    node.kick();
    this.observe(node);
  }

  private observe(node: SimNode): boolean {
    return this.checker.observe(node, (text) => this.trace.event(this.now, 'role', text));
  }

  private crashAfterVote(node: SimNode): void {
    const p = this.params.faults.momentCrash;
    if (p === 0 || this.phase !== 'faults' || !this.rng.chance(p)) return;
    const downFor = 1 + this.rng.intn(TICK);
    this.queue.push(this.now + 1, { kind: 'crash', node, incarnation: node.incarnation, downFor });
  }

  /**
   * Now and then crashes a node right at a moment that matters: it granted a vote, became
   * leader, or advanced its commit index as leader. Random crashes alone rarely land there, and
   * bugs like an unpersisted vote or an early commit (Raft's Figure 8) only show when they do.
   * Half the time the crash comes after the node's Ready was made durable but before its
   * messages went out; otherwise just after. Returns whether the node is down now.
   */
  private crashAtMoment(node: SimNode): boolean {
    const p = this.params.faults.momentCrash;
    if (p === 0 || this.phase !== 'faults' || !this.rng.chance(p)) return false;
    const downFor = this.rng.chance(0.5) ? 1 + this.rng.intn(TICK) : 1 + this.rng.intn(this.params.faults.restartAfter * TICK);
    if (this.rng.chance(0.5)) {
      node.persistThenStop();
      this.crash(node, downFor);
      return true;
    }
    this.queue.push(this.now + 1, { kind: 'crash', node, incarnation: node.incarnation, downFor });
    return false;
  }

  // ---- network ---------------------------------------------------------------------------------

  send(from: SimNode, m: Message): void {
    // Only a vote that was made durable keeps a voter that crashes now from voting twice.
    if (m.type === 'MsgVoteResp' && !m.reject) this.crashAfterVote(from);
    this.network.send(this.now, m);
  }

  deliverAt(at: number, m: Message): void {
    this.queue.push(at, { kind: 'deliver', msg: m });
  }

  dropped(m: Message, reason: DropReason, onSend: boolean): void {
    this.stats.dropped++;
    this.trace.message(this.now, 'drop', m, reason);
    // A snapshot that did not get through: the transport reports the failure to the sender.
    if (m.type === 'MsgSnap') this.reportSnapshot(m, false);
    // The transport notices a broken link and tells raft (etcd's ReportUnreachable).
    const sender = this.nodes.get(m.from);
    if (onSend && reason === 'partition' && m.type === 'MsgApp' && sender?.up && this.rng.chance(0.5)) {
      this.queue.push(this.now + this.params.network.maxDelay, { kind: 'unreachable', node: sender, incarnation: sender.incarnation, peer: m.to });
    }
  }

  private reportSnapshot(m: Message, ok: boolean): void {
    const sender = this.nodes.get(m.from);
    if (!sender || !sender.up) return;
    this.queue.push(this.now + this.params.network.maxDelay, { kind: 'snapStatus', node: sender, incarnation: sender.incarnation, peer: m.to, ok });
  }

  private deliver(m: Message): void {
    const to = this.nodes.get(m.to);
    if (!to || !to.up) {
      this.dropped(m, 'node down', false);
      return;
    }
    if (this.network.isCut(m.from, m.to)) {
      this.dropped(m, 'partition', false);
      return;
    }
    this.stats.delivered++;
    this.trace.message(this.now, 'deliver', m);
    to.node.step(m);
    this.afterStep(to);
    if (m.type === 'MsgSnap' && (!m.chunk || m.chunk.offset + (m.snapshot?.data.length ?? 0) >= m.chunk.total)) {
      this.reportSnapshot(m, true);
    }
  }

  // ---- node observer ---------------------------------------------------------------------------

  scheduleReady(node: SimNode, delay: number): void {
    this.queue.push(this.now + delay, { kind: 'ready', node, incarnation: node.incarnation });
  }

  persisted(node: SimNode, entries: Entry[], prevTerm: number): void {
    this.checker.persisted(node, entries, prevTerm);
  }

  durableCommit(node: SimNode, from: number, to: number): void {
    this.checker.durableCommit(node, from, to);
  }

  snapshotInstalled(node: SimNode, snap: Snapshot): void {
    this.stats.snapshotsInstalled++;
    this.trace.event(this.now, 'note', `node ${node.id} installs snapshot ${snap.metadata.index}/t${snap.metadata.term}`);
    this.checker.snapshotInstalled(node, snap);
  }

  applied(node: SimNode, e: Entry): void {
    this.clients.checkNotLost(node, e);
    this.checker.applied(node, e);
    this.clients.acknowledge(node, e);
    if (e.type === 'confChange' && e.index > this.latestConfig.index) {
      const cs = node.confState;
      const voters = [...new Set([...cs.voters, ...cs.votersOutgoing])];
      const members = new Set([...voters, ...cs.learners, ...cs.learnersNext]);
      for (const id of members) this.everMember.add(id);
      this.latestConfig = { index: e.index, voters, members };
    }
  }

  readState(node: SimNode, rs: ReadState): void {
    this.clients.readState(node, rs);
  }

  afterApply(node: SimNode): void {
    this.clients.serveReads(node);
  }

  // ---- the world: faults, operator and clients, once per tick ---------------------------------

  private world(): void {
    const endOfFaults = this.params.faultTicks * TICK;
    if (this.phase === 'faults' && this.now >= endOfFaults) this.stopFaults();
    if (this.phase === 'faults') {
      this.nemesis();
      this.scheduleClients();
    } else {
      this.livenessStep();
    }
    if (this.phase !== 'done') this.queue.push(this.now + TICK, { kind: 'world' });
  }

  private nemesis(): void {
    const f = this.params.faults;
    const r = this.rng;
    if (f.partitionEvery > 0 && r.chance(1 / f.partitionEvery)) this.partition();
    if (f.crashEvery > 0 && r.chance(1 / f.crashEvery)) this.crashOne();
    if (f.membershipEvery > 0 && r.chance(1 / f.membershipEvery)) this.changeMembership(false);
    if (f.transferEvery > 0 && r.chance(1 / f.transferEvery)) this.transferLeadership();
    // The operator leaves an explicit joint configuration soon after entering it.
    if (r.chance(0.2)) this.changeMembership(true);
  }

  private partition(): void {
    const p = drawPartition(this.rng, this.nodeList.map((n) => n.id), this.leader()?.id);
    if (!p) return;
    this.network.partition(p.cut);
    const generation = ++this.partitionGeneration;
    this.stats.partitions++;
    this.trace.event(this.now, 'fault', `partition ${p.description}`);
    const lasts = 1 + this.rng.intn(this.params.faults.healAfter);
    this.queue.push(this.now + lasts * TICK, { kind: 'heal', generation });
  }

  /** Crashes a node, the leader half the time. */
  private crashOne(): void {
    const up = this.nodeList.filter((n) => n.up);
    if (up.length === 0) return;
    const leader = this.leader();
    const node = leader && this.rng.chance(0.5) ? leader : this.rng.pick(up);
    this.crash(node, 1 + this.rng.intn(this.params.faults.restartAfter * TICK));
  }

  private crash(node: SimNode, downFor: number): void {
    node.crash();
    this.stats.crashes++;
    this.trace.event(this.now, 'fault', `crash ${node.id}`);
    this.queue.push(this.now + downFor, { kind: 'restart', node, incarnation: node.incarnation });
  }

  /** The running leader of the highest term, if any. */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodeList) {
      const raft = n.raft;
      if (raft && raft.state === 'leader' && (!best || raft.term > best.raft!.term)) best = n;
    }
    return best;
  }

  private changeMembership(onlyLeaveJoint: boolean): void {
    const leader = this.leader();
    if (!leader) return;
    const cs = leader.raft!.trk.confState();
    let plan: MembershipPlan | undefined;
    if (onlyLeaveJoint) {
      if (cs.votersOutgoing.length === 0 || cs.autoLeave) return;
      plan = leaveJoint();
    } else {
      plan = planChange(this.rng, cs, { maxVoters: this.params.maxVoters, freshIds: this.freshIds });
    }
    if (!plan) return;
    try {
      leader.node.proposeConfChange(plan.change);
    } catch (e) {
      if (!(e instanceof RaftError)) throw e;
      if (!onlyLeaveJoint) this.trace.event(this.now, 'member', `node ${leader.id} refuses ${plan.description}: ${e.code}`);
      return;
    }
    this.stats.membershipChanges++;
    this.trace.event(this.now, 'member', `node ${leader.id} proposes ${plan.description}`);
    for (const id of plan.newNodes) {
      this.freshIds.splice(this.freshIds.indexOf(id), 1);
      this.addServer(id, new MemoryStorage());
    }
    this.afterStep(leader);
  }

  private transferLeadership(): void {
    const leader = this.leader();
    if (!leader) return;
    const voters = leader.raft!.trk.voterNodes().filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const target = this.rng.pick(voters);
    // Sometimes ask a follower, which forwards the request to the leader.
    const up = this.nodeList.filter((n) => n.up);
    const via = this.rng.chance(0.7) ? leader : this.rng.pick(up);
    this.stats.transfers++;
    this.trace.event(this.now, 'member', `transfer leadership to ${target} via ${via.id}`);
    via.node.transferLeadership(target);
    this.afterStep(via);
  }

  private scheduleClients(): void {
    const w = this.params.workload;
    for (let i = this.count(w.proposalsPerTick); i > 0; i--) this.queue.push(this.now + 1 + this.rng.intn(TICK - 1), { kind: 'propose' });
    for (let i = this.count(w.readsPerTick); i > 0; i--) this.queue.push(this.now + 1 + this.rng.intn(TICK - 1), { kind: 'read' });
  }

  /** A whole number of events averaging `rate`. */
  private count(rate: number): number {
    const whole = Math.floor(rate);
    return whole + (this.rng.chance(rate - whole) ? 1 : 0);
  }

  /** Clients mostly find the leader; some talk to whichever node they reach. */
  private clientTarget(leaderBias: number): SimNode | undefined {
    const leader = this.leader();
    if (leader && this.rng.chance(leaderBias)) return leader;
    const up = this.nodeList.filter((n) => n.up);
    return up.length > 0 ? this.rng.pick(up) : undefined;
  }

  private clientWrite(): void {
    if (this.phase !== 'faults') return;
    let outstanding = 0;
    for (const n of this.nodeList) outstanding += n.pendingProposals.size;
    if (outstanding >= this.params.workload.maxOutstandingWrites) return;
    const node = this.clientTarget(0.85);
    if (!node) return;
    const id = this.clients.propose(node, this.rng.intn(this.params.workload.maxPayloadPadding + 1));
    if (id !== undefined) this.trace.event(this.now, 'client', `write ${id} on node ${node.id}`);
    this.afterStep(node);
  }

  private clientRead(): void {
    if (this.phase !== 'faults') return;
    const node = this.clientTarget(0.5);
    if (!node) return;
    if (this.clients.read(node)) this.trace.event(this.now, 'client', `read on node ${node.id}`);
    this.afterStep(node);
  }

  // ---- liveness --------------------------------------------------------------------------------

  private stopFaults(): void {
    this.phase = 'liveness';
    this.livenessStart = this.now;
    this.lastProgress = this.now;
    this.network.heal();
    this.partitionGeneration++;
    this.network.stopLosses();
    this.retireRemovedServers();
    const down = this.nodeList.filter((n) => !n.up && !this.retired.has(n));
    this.trace.event(this.now, 'fault', `faults stop: heal all${down.length > 0 ? `, restart ${down.map((n) => n.id).join(',')}` : ''}`);
    for (const n of down) this.startNode(n);
  }

  /**
   * Without both pre-vote and check-quorum, a removed server that never learned of its removal
   * disrupts the cluster with ever higher terms (Raft thesis §4.2.3), so the operator shuts
   * removed servers down: those that no voter of the newest configuration still counts as a
   * member (a voter that has not applied its newest configuration may still need their votes).
   * With both on, removed servers keep running and must not disrupt.
   */
  private retireRemovedServers(): void {
    const raft = this.params.raft;
    if (raft.preVote && raft.checkQuorum) return;
    const needed = new Set(this.latestConfig.members);
    for (const id of this.latestConfig.voters) {
      const cs = this.nodes.get(id)?.confState;
      if (cs) for (const m of [...cs.voters, ...cs.votersOutgoing, ...cs.learners, ...cs.learnersNext]) needed.add(m);
    }
    for (const n of this.nodeList) {
      if (this.retired.has(n) || !this.everMember.has(n.id) || needed.has(n.id)) continue;
      n.crash();
      this.retired.add(n);
      this.trace.event(this.now, 'fault', `shut down removed node ${n.id}`);
    }
  }

  /**
   * Once the faults stop, a leader must commit a new write. A cluster still catching a far
   * behind member up (one entry per message, say) may take long, so the bound is on the time
   * without progress, progress being any node's durable commit index moving; a hard cap of
   * twenty such bounds ends any run.
   */
  private livenessStep(): void {
    this.retireRemovedServers();
    let commits = 0;
    for (const n of this.nodeList) commits += n.storage.hardStateNow().commit;
    if (commits > this.livenessCommits) {
      this.livenessCommits = commits;
      this.lastProgress = this.now;
    }
    const bound = this.params.livenessTicks;
    const stalled = (this.now - this.lastProgress) / TICK > bound;
    if (stalled || (this.now - this.livenessStart) / TICK > 20 * bound) {
      const leader = this.leader();
      const why = stalled ? `no node's commit index moved for ${bound} ticks` : `none within ${20 * bound} ticks`;
      throw new SimViolation(
        `liveness: no new write was acknowledged after the faults stopped; ${why} (leader: ${leader ? `${leader.id} term ${leader.raft!.term}` : 'none'})`,
      );
    }
    this.changeMembership(true);
    // A probe write; another one if the last got lost with a deposed leader.
    if (this.now - this.lastProbe < 2 * this.params.raft.electionTick * TICK) return;
    const leader = this.leader();
    if (!leader) return;
    this.lastProbe = this.now;
    const id = this.clients.propose(leader, 0, () => {
      this.livenessTicks = (this.now - this.livenessStart) / TICK;
      this.phase = 'done';
    });
    if (id !== undefined) this.trace.event(this.now, 'client', `liveness probe write ${id} on node ${leader.id}`);
    this.afterStep(leader);
  }
}

