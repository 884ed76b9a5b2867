// The simulated network: per-link cuts (partitions), random loss, delay, reordering and
// duplication. It only decides what happens to each message; the simulation schedules it.

import type { SeededRandom } from '../src/rand.js';
import type { Message, NodeId } from '../src/types.js';
import type { NetworkParams } from './params.js';

export type DropReason = 'partition' | 'lost' | 'node down';

export interface NetworkSink {
  /** Deliver `m` at virtual time `at`. */
  deliverAt(at: number, m: Message): void;
  /** `m` will never arrive. `onSend` tells a message cut off when sent from one cut in flight. */
  dropped(m: Message, reason: DropReason, onSend: boolean): void;
}

export class SimNetwork {
  private readonly stride: number;
  /** cut[from * stride + to] = 1 while a partition blocks that direction. */
  private readonly cut: Uint8Array;
  /** When the last snapshot message on each link arrives: snapshot streams stay in order. */
  private readonly snapshotStreamAt: Float64Array;
  private dropRate: number;
  private duplicateRate: number;
  duplicated = 0;

  constructor(
    private readonly params: NetworkParams,
    maxNodeId: NodeId,
    private readonly rng: SeededRandom,
    private readonly sink: NetworkSink,
  ) {
    this.stride = maxNodeId + 1;
    this.cut = new Uint8Array(this.stride * this.stride);
    this.snapshotStreamAt = new Float64Array(this.stride * this.stride);
    this.dropRate = params.dropRate;
    this.duplicateRate = params.duplicateRate;
  }

  /** Replaces the current partition with one cutting these directed links. */
  partition(cut: ReadonlyArray<readonly [NodeId, NodeId]>): void {
    this.cut.fill(0);
    for (const [a, b] of cut) this.cut[a * this.stride + b] = 1;
  }

  heal(): void {
    this.cut.fill(0);
  }

  /** From now on nothing is lost or duplicated (delays and reordering stay). */
  stopLosses(): void {
    this.dropRate = 0;
    this.duplicateRate = 0;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut[from * this.stride + to] === 1;
  }

  send(now: number, m: Message): void {
    if (this.isCut(m.from, m.to)) {
      this.sink.dropped(m, 'partition', true);
      return;
    }
    if (this.dropRate > 0 && this.rng.chance(this.dropRate)) {
      this.sink.dropped(m, 'lost', true);
      return;
    }
    if (m.type === 'MsgSnap') {
      // Snapshots travel over an ordered stream (a TCP connection, a gRPC stream): their chunks
      // arrive in order and are not duplicated, though the stream may still lose them.
      const link = m.from * this.stride + m.to;
      const at = Math.max(now + this.delay(), this.snapshotStreamAt[link] + 1);
      this.snapshotStreamAt[link] = at;
      this.sink.deliverAt(at, m);
      return;
    }
    this.sink.deliverAt(now + this.delay(), m);
    if (this.duplicateRate > 0 && this.rng.chance(this.duplicateRate)) {
      this.duplicated++;
      this.sink.deliverAt(now + this.delay(), { ...m });
    }
  }

  private delay(): number {
    const p = this.params;
    let d = p.minDelay + this.rng.intn(p.maxDelay - p.minDelay + 1);
    if (p.reorderRate > 0 && this.rng.chance(p.reorderRate)) d += this.rng.intn(p.reorderDelay);
    return d;
  }
}
