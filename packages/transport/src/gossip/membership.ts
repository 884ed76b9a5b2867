import type { AliveMessage, DeadMessage, MemberState, SuspectMessage, SyncEntry } from './messages.js';
import { isDeepStrictEqual } from 'node:util';

export interface Member {
  name: string;
  address: string;
  port: number;
  incarnation: number;
  state: MemberState;
  meta: unknown;
  /** When the state last changed (caller's clock, ms). */
  since: number;
}

export type MemberEvent = 'member-up' | 'member-suspect' | 'member-dead' | 'member-update';

/** What the network shell must do after a membership change: the core itself has no I/O. */
export type MembershipEffect =
  | { kind: 'event'; event: MemberEvent; member: Member; previous: MemberState | null }
  | { kind: 'broadcast'; message: AliveMessage | SuspectMessage | DeadMessage }
  | { kind: 'suspect-timer'; name: string; incarnation: number };

/**
 * SWIM membership state with memberlist's rules (state.go aliveNode/suspectNode/deadNode):
 *  - alive(i) replaces what we know when i is newer (a brand-new member is always taken);
 *  - suspect(i) of an alive member with i ≥ ours makes it suspect and starts its suspicion timer;
 *  - dead(i) with i ≥ ours declares it dead (`left` when it announced that itself);
 *  - anything accusing US is refuted: our incarnation jumps past the accusation and we re-announce.
 * Every accepted change is re-broadcast so it spreads epidemically.
 */
export class Membership {
  private readonly table = new Map<string, Member>();
  readonly selfName: string;

  constructor(
    self: { name: string; address: string; port: number; meta: unknown },
    private readonly now: () => number,
  ) {
    this.selfName = self.name;
    this.table.set(self.name, { ...self, incarnation: 0, state: 'alive', since: now() });
  }

  get self(): Member {
    return this.table.get(this.selfName) as Member;
  }

  member(name: string): Member | undefined {
    return this.table.get(name);
  }

  members(): Member[] {
    return [...this.table.values()].map((member) => ({ ...member }));
  }

  /** Members other than us in one of `states`. */
  others(states: readonly MemberState[]): Member[] {
    return [...this.table.values()].filter((member) => member.name !== this.selfName && states.includes(member.state));
  }

  /** How many members are not dead or gone (for retransmit and suspicion scaling). */
  liveCount(): number {
    let count = 0;
    for (const member of this.table.values()) if (member.state === 'alive' || member.state === 'suspect') count++;
    return count;
  }

  applyAlive(message: AliveMessage): MembershipEffect[] {
    const current = this.table.get(message.name);
    if (message.name === this.selfName) {
      const self = this.self;
      if (message.incarnation < self.incarnation) return [];
      if (message.incarnation === self.incarnation && isDeepStrictEqual(message.meta, self.meta) && message.address === self.address && message.port === self.port) return [];
      return this.refute(message.incarnation);
    }
    if (current && message.incarnation <= current.incarnation) return [];
    const previous = current?.state ?? null;
    const member: Member = {
      name: message.name,
      address: message.address,
      port: message.port,
      incarnation: message.incarnation,
      state: 'alive',
      meta: message.meta,
      since: previous === 'alive' ? (current as Member).since : this.now(),
    };
    this.table.set(member.name, member);
    const effects: MembershipEffect[] = [{ kind: 'broadcast', message }];
    if (previous !== 'alive') effects.push({ kind: 'event', event: 'member-up', member: { ...member }, previous });
    else if (!isDeepStrictEqual(current?.meta, member.meta) || current?.address !== member.address || current?.port !== member.port) {
      effects.push({ kind: 'event', event: 'member-update', member: { ...member }, previous });
    }
    return effects;
  }

  applySuspect(message: SuspectMessage): MembershipEffect[] {
    const current = this.table.get(message.name);
    if (!current || message.incarnation < current.incarnation) return [];
    if (message.name === this.selfName) return this.refute(message.incarnation);
    if (current.state !== 'alive') return [];
    current.state = 'suspect';
    current.incarnation = message.incarnation;
    current.since = this.now();
    return [
      { kind: 'broadcast', message },
      { kind: 'suspect-timer', name: current.name, incarnation: current.incarnation },
      { kind: 'event', event: 'member-suspect', member: { ...current }, previous: 'alive' },
    ];
  }

  applyDead(message: DeadMessage): MembershipEffect[] {
    const current = this.table.get(message.name);
    if (!current || message.incarnation < current.incarnation) return [];
    if (current.state === 'dead' || current.state === 'left') return [];
    if (message.name === this.selfName) {
      if (message.from !== this.selfName) return this.refute(message.incarnation);
      return [];
    }
    const previous = current.state;
    current.state = message.from === message.name ? 'left' : 'dead';
    current.incarnation = message.incarnation;
    current.since = this.now();
    return [
      { kind: 'broadcast', message },
      { kind: 'event', event: 'member-dead', member: { ...current }, previous },
    ];
  }

  /**
   * Merges a member state from a push/pull. As memberlist's mergeState, a remote "dead" only makes
   * us suspect the member (it has to fail our own probes to die here), which avoids flapping.
   */
  applySync(entry: SyncEntry): MembershipEffect[] {
    if (entry.state === 'alive') {
      return this.applyAlive({ type: 'alive', name: entry.name, address: entry.address, port: entry.port, incarnation: entry.incarnation, meta: entry.meta });
    }
    if (!this.table.has(entry.name) && entry.name !== this.selfName) return [];
    return this.applySuspect({ type: 'suspect', name: entry.name, incarnation: entry.incarnation, from: this.selfName });
  }

  /** Our own probes failed for `name`: accuse it. */
  suspect(name: string): MembershipEffect[] {
    const current = this.table.get(name);
    if (!current || current.state !== 'alive') return [];
    return this.applySuspect({ type: 'suspect', name, incarnation: current.incarnation, from: this.selfName });
  }

  /** The suspicion timer ran out: unless it was refuted meanwhile, the member is dead. */
  suspicionExpired(name: string, incarnation: number): MembershipEffect[] {
    const current = this.table.get(name);
    if (!current || current.state !== 'suspect' || current.incarnation !== incarnation) return [];
    return this.applyDead({ type: 'dead', name, incarnation, from: this.selfName });
  }

  /** New metadata for ourselves: a higher incarnation carries it to everyone. */
  updateSelf(meta: unknown): MembershipEffect[] {
    const self = this.self;
    self.incarnation++;
    self.meta = meta;
    return [{ kind: 'broadcast', message: this.selfAlive() }];
  }

  /** Graceful leave: announce our own death (others record us as `left`). */
  leave(): MembershipEffect[] {
    const self = this.self;
    self.incarnation++;
    return [{ kind: 'broadcast', message: { type: 'dead', name: self.name, incarnation: self.incarnation, from: self.name } }];
  }

  /** Forgets members that have been dead or gone for longer than `ageMs`. Returns their names. */
  reap(ageMs: number): string[] {
    const cutoff = this.now() - ageMs;
    const reaped: string[] = [];
    for (const member of this.table.values()) {
      if ((member.state === 'dead' || member.state === 'left') && member.since <= cutoff) reaped.push(member.name);
    }
    for (const name of reaped) this.table.delete(name);
    return reaped;
  }

  syncEntries(): SyncEntry[] {
    return [...this.table.values()].map(({ name, address, port, incarnation, state, meta }) => ({ name, address, port, incarnation, state, meta }));
  }

  selfAlive(): AliveMessage {
    const self = this.self;
    return { type: 'alive', name: self.name, address: self.address, port: self.port, incarnation: self.incarnation, meta: self.meta };
  }

  private refute(accused: number): MembershipEffect[] {
    const self = this.self;
    self.incarnation = Math.max(self.incarnation + 1, accused + 1);
    return [{ kind: 'broadcast', message: this.selfAlive() }];
  }
}
