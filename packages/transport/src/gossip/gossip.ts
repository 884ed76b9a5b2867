import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createPackr } from '../codec.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Nic } from '../nic.js';
import type { DatagramSource, NicUdpSocket } from '../nic/udp-socket.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { GossipKeyring, type GossipKey } from './keyring.js';
import { Membership, type Member, type MemberEvent, type MembershipEffect } from './membership.js';
import type { GossipMessage, UserMessage } from './messages.js';
import { encodeSyncMessages } from './sync.js';
import { compoundHeaderBytes, encodeMessage, MAX_PLAINTEXT_BYTES, openPacket, sealPacket, type PacketDropReason } from './packet.js';
import { LAN_TIMING, pushPullScaledMs, suspicionTimeoutMs, type GossipTiming } from './timing.js';

export interface GossipOptions {
  nic: Nic;
  /** This member's unique name (the node ID). */
  name: string;
  /** UDP port on the NIC's address: 7946 on a real node, 0 picks a free one. */
  port: number;
  keys: GossipKey[];
  /** Small per-member data carried in alive messages (at most 512 bytes encoded, as memberlist). */
  meta?: unknown;
  timing?: Partial<GossipTiming>;
  /** Random source for probe order, target choice (inject a seeded one for determinism). */
  random?: () => number;
  logger?: Logger;
}

export interface GossipSeed {
  address: string;
  port: number;
}

export interface GossipUserEvent {
  topic: string;
  body: unknown;
  /** Name of the member that broadcast it. */
  from: string;
}

export interface GossipStats {
  packetsIn: number;
  packetsOut: number;
  /** Packets refused, by reason: bad version byte, too short, no key opened it, undecodable, oversized. */
  dropped: Record<PacketDropReason, number>;
  droppedTotal: number;
}

type GossipEvents = { [E in MemberEvent]: [Member] } & { message: [GossipUserEvent] };

/** memberlist's MetaMaxSize. */
const MAX_META_BYTES = 512;
/** Room left in a packet for the probe message that user broadcasts ride along with. */
const PROBE_RESERVE_BYTES = 64;
const SEEN_USER_MESSAGES = 8192;

export class GossipError extends Error {
  override readonly name = 'GossipError';
}

/**
 * SWIM membership and failure detection over UDP, encrypted as memberlist does it for NetworkDB.
 * Each probe interval one member is pinged; if its ack misses the probe timeout, k others are asked
 * to ping it (ping-req); if the interval ends without an ack it becomes suspect, and dead when the
 * suspicion timeout passes without a refutation. Membership changes and user messages are piggy-backed
 * on probe traffic and pushed to a few random members every gossip interval. All packets go through
 * the NIC, so its rules (block, loss, delay) shape the failure detector exactly as a network would.
 */
export class Gossip extends EventEmitter<GossipEvents> {
  readonly name: string;
  private readonly timing: GossipTiming;
  private readonly keyring: GossipKeyring;
  private readonly membership: Membership;
  private readonly broadcasts: BroadcastQueue;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly packr = createPackr();
  private readonly acks = new Map<number, () => void>();
  private readonly suspicionTimers = new Map<string, NodeJS.Timeout>();
  private readonly probeTimer: NodeJS.Timeout;
  /** Runs only while broadcasts wait: an idle member has nothing to gossip and should not wake for it. */
  private gossipTimer: NodeJS.Timeout | null = null;
  private pushPullTimer: NodeJS.Timeout | undefined;
  private readonly sleeps = new Set<() => void>();
  private readonly relayTimers = new Set<NodeJS.Timeout>();
  private readonly seenUser = new Set<string>();
  private readonly joinWaiters = new Map<string, () => void>();
  private readonly counters: GossipStats = {
    packetsIn: 0,
    packetsOut: 0,
    dropped: { 'too-short': 0, 'bad-version': 0, 'auth-failed': 0, undecodable: 0, oversized: 0 },
    droppedTotal: 0,
  };
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private probing = false;
  private seq = 0;
  private userSeq = 0;
  private closed = false;

  private constructor(
    private readonly socket: NicUdpSocket,
    options: GossipOptions,
  ) {
    super();
    this.name = options.name;
    this.timing = { ...LAN_TIMING, ...options.timing };
    this.keyring = new GossipKeyring(options.keys);
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.broadcasts = new BroadcastQueue(this.timing.retransmitMult);
    const meta = options.meta ?? null;
    this.checkMeta(meta);
    this.membership = new Membership({ name: options.name, address: socket.address, port: socket.port, meta }, () => performance.now());
    socket.on('message', (packet, from) => this.onPacket(packet, from));
    this.probeTimer = setInterval(() => void this.probe(), this.timing.probeIntervalMs);
    // memberlist staggers the first exchange randomly; here members start one by one anyway, and a
    // first exchange in the first interval would add a full-state sync to every join while a
    // swarm forms.
    this.schedulePushPull();
  }

  /** Binds the UDP socket on the NIC and starts probing and gossiping. */
  static async start(options: GossipOptions): Promise<Gossip> {
    // Validate before binding so bad keys do not leave a socket open.
    new GossipKeyring(options.keys);
    const socket = await options.nic.bindUdp(options.port);
    try {
      return new Gossip(socket, options);
    } catch (error) {
      await socket.close();
      throw error;
    }
  }

  get address(): string {
    return this.socket.address;
  }

  get port(): number {
    return this.socket.port;
  }

  /** Every member we know of, ourselves included, with its state. */
  members(): Member[] {
    return this.membership.members();
  }

  member(name: string): Member | undefined {
    const member = this.membership.member(name);
    return member ? { ...member } : undefined;
  }

  stats(): GossipStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  /** Replaces the key ring (gossip key rotation). */
  setKeys(keys: GossipKey[]): void {
    this.keyring.set(keys);
  }

  /** Publishes new metadata for this member. */
  setMeta(meta: unknown): void {
    this.checkMeta(meta);
    this.apply(this.membership.updateSelf(meta));
  }

  /**
   * Contacts seeds with a push/pull of our state and waits for at least one to answer with its own.
   * Resolves with how many seeds answered; rejects if none did within `timeoutMs`.
   */
  async join(seeds: GossipSeed[], timeoutMs = 5000): Promise<number> {
    const results = await Promise.all(seeds.map((seed) => this.joinOne(seed, timeoutMs)));
    const joined = results.filter(Boolean).length;
    if (joined === 0 && seeds.length > 0) {
      throw new GossipError(`could not join the gossip cluster: no answer from ${seeds.map((s) => `${s.address}:${s.port}`).join(', ')}`);
    }
    return joined;
  }

  /**
   * Spreads a user message to every member (not back to ourselves). Throws GossipError when it
   * cannot fit in one packet.
   */
  broadcast(topic: string, body: unknown): void {
    if (this.closed) throw new GossipError('gossip is closed');
    const message: UserMessage = { type: 'user', origin: this.name, seq: this.userSeq++, topic, body };
    const encoded = encodeMessage(message);
    const max = MAX_PLAINTEXT_BYTES - 3 - PROBE_RESERVE_BYTES;
    if (encoded.length > max) throw new GossipError(`gossip message too large (${encoded.length} bytes, at most ${max})`);
    this.remember(`${message.origin}:${message.seq}`);
    this.broadcasts.queue(`u:${message.origin}:${message.seq}`, encoded);
    this.gossipSoon();
  }

  /**
   * Announces that we leave (others record us as `left` rather than dead): the announcement goes to
   * every live member directly and into the gossip queue, then we close after a couple of gossip
   * rounds, so the datagrams are out before the socket goes.
   */
  async leave(): Promise<void> {
    if (this.closed) return;
    const effects = this.membership.leave();
    for (const effect of effects) {
      if (effect.kind !== 'broadcast') continue;
      const encoded = encodeMessage(effect.message);
      for (const member of this.membership.others(['alive', 'suspect'])) this.send(member, [encoded]);
    }
    this.apply(effects);
    await this.sleep(Math.min(2 * this.timing.gossipIntervalMs, 1000), () => {});
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    clearTimeout(this.pushPullTimer);
    if (this.gossipTimer) clearInterval(this.gossipTimer);
    for (const timer of this.suspicionTimers.values()) clearTimeout(timer);
    this.suspicionTimers.clear();
    for (const timer of this.relayTimers) clearTimeout(timer);
    this.relayTimers.clear();
    for (const wake of [...this.sleeps]) wake();
    for (const resolve of this.joinWaiters.values()) resolve();
    await this.socket.close();
  }

  // ---- receiving ----

  private onPacket(packet: Buffer, from: DatagramSource): void {
    if (this.closed) return;
    const messages = openPacket(this.keyring.all, packet);
    if (typeof messages === 'string') {
      this.counters.dropped[messages]++;
      this.counters.droppedTotal++;
      this.logger.debug({ from: from.address, reason: messages }, 'gossip packet dropped');
      return;
    }
    this.counters.packetsIn++;
    for (const message of messages) this.handle(message, from);
  }

  private handle(message: GossipMessage, from: DatagramSource): void {
    switch (message.type) {
      case 'ping':
        if (message.target === this.name) this.sendTo(from, [encodeMessage({ type: 'ack', seq: message.seq })], true);
        return;
      case 'ack':
        this.acks.get(message.seq)?.();
        return;
      case 'ping-req':
        return this.relayPing(message.seq, message.target, { address: message.address, port: message.port }, from);
      case 'alive':
        return this.apply(this.membership.applyAlive(message));
      case 'suspect':
        return this.apply(this.membership.applySuspect(message));
      case 'dead':
        return this.apply(this.membership.applyDead(message));
      case 'user':
        return this.onUser(message);
      case 'sync':
        for (const entry of message.entries) this.apply(this.membership.applySync(entry));
        if (message.reply) this.joinWaiters.get(`${from.address}:${from.port}`)?.();
        else this.sendSync(from, true);
        return;
    }
  }

  private onUser(message: UserMessage): void {
    const id = `${message.origin}:${message.seq}`;
    if (this.seenUser.has(id)) return;
    this.remember(id);
    // Pass it on: an epidemic, so one member that missed the origin's packets still gets it.
    this.broadcasts.queue(`u:${id}`, encodeMessage(message));
    this.gossipSoon();
    if (message.origin !== this.name) this.emit('message', { topic: message.topic, body: message.body, from: message.origin });
  }

  private remember(id: string): void {
    this.seenUser.add(id);
    if (this.seenUser.size > SEEN_USER_MESSAGES) {
      const oldest = this.seenUser.values().next().value as string;
      this.seenUser.delete(oldest);
    }
  }

  // ---- membership effects ----

  private apply(effects: MembershipEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'broadcast') {
        this.broadcasts.queue(`m:${effect.message.name}`, encodeMessage(effect.message));
        this.gossipSoon();
      } else if (effect.kind === 'suspect-timer') {
        this.startSuspicion(effect.name, effect.incarnation);
      } else {
        if (effect.event !== 'member-suspect') this.clearSuspicion(effect.member.name);
        this.logger.info({ member: effect.member.name, address: effect.member.address, state: effect.member.state, incarnation: effect.member.incarnation }, `gossip ${effect.event}`);
        this.emit(effect.event, effect.member);
      }
    }
  }

  private startSuspicion(name: string, incarnation: number): void {
    this.clearSuspicion(name);
    const timeout = suspicionTimeoutMs(this.timing, this.membership.liveCount());
    const timer = setTimeout(() => {
      this.suspicionTimers.delete(name);
      this.apply(this.membership.suspicionExpired(name, incarnation));
    }, timeout);
    this.suspicionTimers.set(name, timer);
  }

  private clearSuspicion(name: string): void {
    const timer = this.suspicionTimers.get(name);
    if (timer) {
      clearTimeout(timer);
      this.suspicionTimers.delete(name);
    }
  }

  // ---- probing ----

  private async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    const target = this.nextProbeTarget();
    if (!target) return;
    this.probing = true;
    try {
      const seq = this.nextSeq();
      let acked = false;
      let wake: () => void = () => {};
      this.acks.set(seq, () => {
        acked = true;
        wake();
      });
      this.send(target, [encodeMessage({ type: 'ping', seq, target: target.name })], true);
      await this.sleep(this.timing.probeTimeoutMs, (w) => (wake = w));
      if (!acked && !this.closed) {
        const helpers = this.pick(this.membership.others(['alive']).filter((m) => m.name !== target.name), this.timing.indirectChecks);
        const request = encodeMessage({ type: 'ping-req', seq, target: target.name, address: target.address, port: target.port });
        for (const helper of helpers) this.send(helper, [request]);
        await this.sleep(Math.max(0, this.timing.probeIntervalMs - this.timing.probeTimeoutMs), (w) => (wake = w));
      }
      this.acks.delete(seq);
      if (!acked && !this.closed) {
        this.logger.debug({ member: target.name }, 'gossip probe failed');
        this.apply(this.membership.suspect(target.name));
      }
    } finally {
      this.probing = false;
    }
  }

  /** Round-robin over a shuffled list of members, reshuffled each pass (SWIM's probe order). */
  private nextProbeTarget(): Member | undefined {
    this.membership.reap(this.timing.reconnectTimeoutMs);
    for (let tries = 0; tries < 2; tries++) {
      while (this.probeIndex < this.probeOrder.length) {
        const member = this.membership.member(this.probeOrder[this.probeIndex++]);
        if (member && member.name !== this.name && (member.state === 'alive' || member.state === 'suspect')) return member;
      }
      this.probeOrder = this.shuffle(this.membership.others(['alive', 'suspect']).map((m) => m.name));
      this.probeIndex = 0;
    }
    return undefined;
  }

  private relayPing(originalSeq: number, target: string, targetAddress: GossipSeed, requester: DatagramSource): void {
    const seq = this.nextSeq();
    const timer = setTimeout(() => {
      this.relayTimers.delete(timer);
      this.acks.delete(seq);
    }, this.timing.probeTimeoutMs);
    this.relayTimers.add(timer);
    this.acks.set(seq, () => {
      clearTimeout(timer);
      this.relayTimers.delete(timer);
      this.acks.delete(seq);
      this.sendTo(requester, [encodeMessage({ type: 'ack', seq: originalSeq })]);
    });
    this.sendTo(targetAddress, [encodeMessage({ type: 'ping', seq, target })]);
  }

  // ---- gossip and anti-entropy ----

  /** Starts the gossip rounds if they are not running (something was just queued). */
  private gossipSoon(): void {
    if (this.gossipTimer === null && !this.closed) this.gossipTimer = setInterval(() => this.gossipRound(), this.timing.gossipIntervalMs);
  }

  private gossipRound(): void {
    if (this.closed || this.broadcasts.length === 0) {
      if (this.gossipTimer) clearInterval(this.gossipTimer);
      this.gossipTimer = null;
      return;
    }
    const now = performance.now();
    const candidates = this.membership
      .others(['alive', 'suspect', 'dead', 'left'])
      .filter((m) => m.state === 'alive' || m.state === 'suspect' || now - m.since < this.timing.gossipToTheDeadMs);
    for (const target of this.pick(candidates, this.timing.gossipNodes)) {
      const messages = this.broadcasts.take(MAX_PLAINTEXT_BYTES - 3, this.membership.liveCount());
      if (messages.length === 0) break;
      this.send(target, messages);
    }
  }

  /** The next push/pull, after the interval scaled to the cluster's size as memberlist does (pushPullScaledMs). */
  private schedulePushPull(): void {
    this.pushPullTimer = setTimeout(() => {
      this.pushPull();
      if (!this.closed) this.schedulePushPull();
    }, pushPullScaledMs(this.timing.pushPullIntervalMs, this.membership.liveCount()));
  }

  /**
   * Anti-entropy with one random live member, plus one attempt at a member we think is dead (as Serf
   * and NetworkDB reconnect failed nodes): after a partition heals, that exchange lets both sides
   * refute the other's verdict, so the cluster merges again.
   */
  private pushPull(): void {
    if (this.closed) return;
    const [alive] = this.pick(this.membership.others(['alive']), 1);
    if (alive) this.sendSync(alive, false);
    const [failed] = this.pick(this.membership.others(['dead']), 1);
    if (failed) this.sendSync(failed, false);
  }

  private async joinOne(seed: GossipSeed, timeoutMs: number): Promise<boolean> {
    const key = `${seed.address}:${seed.port}`;
    let answered = false;
    let wake: () => void = () => {};
    this.joinWaiters.set(key, () => {
      answered = true;
      wake();
    });
    const deadline = performance.now() + timeoutMs;
    try {
      while (!answered && !this.closed && performance.now() < deadline) {
        this.sendSync(seed, false);
        await this.sleep(Math.min(this.timing.probeIntervalMs, Math.max(1, deadline - performance.now())), (w) => (wake = w));
      }
    } finally {
      this.joinWaiters.delete(key);
    }
    return answered;
  }

  /** Our whole member table, split over as many packets as it takes. */
  private sendSync(to: GossipSeed, reply: boolean): void {
    for (const message of encodeSyncMessages(this.membership.syncEntries(), reply, this.packr)) this.sendTo(to, [message]);
  }

  // ---- sending ----

  private send(member: Member, messages: Buffer[], piggyback = false): void {
    this.sendTo({ address: member.address, port: member.port }, messages, piggyback);
  }

  /** Seals `messages` (plus piggy-backed broadcasts when asked) into one packet under the primary key. */
  private sendTo(to: GossipSeed, messages: Buffer[], piggyback = false): void {
    if (this.closed) return;
    let all = messages;
    if (piggyback) {
      const used = messages.reduce((sum, m) => sum + m.length, 0);
      const extra = this.broadcasts.take(MAX_PLAINTEXT_BYTES - 3 - used, this.membership.liveCount());
      if (extra.length > 0) all = [...messages, ...extra];
    }
    if (compoundHeaderBytes(all.length) + all.reduce((sum, m) => sum + m.length, 0) > MAX_PLAINTEXT_BYTES) {
      this.logger.warn({ to: to.address, messages: all.length }, 'gossip packet too large, not sent');
      return;
    }
    this.counters.packetsOut++;
    this.socket.send(sealPacket(this.keyring.primary, all), to.port, to.address);
  }

  // ---- helpers ----

  private nextSeq(): number {
    this.seq = this.seq >= 0xffffffff ? 0 : this.seq + 1;
    return this.seq;
  }

  private checkMeta(meta: unknown): void {
    const size = this.packr.pack(meta).length;
    if (size > MAX_META_BYTES) throw new GossipError(`gossip meta too large (${size} bytes, at most ${MAX_META_BYTES})`);
  }

  private pick<T>(items: T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }

  private shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A sleep that `close()` cuts short and that `onWake` lets the caller end early (an ack arrived). */
  private sleep(ms: number, onWake: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
      onWake(wake);
    });
  }
}
