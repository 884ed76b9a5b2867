// Simulated clients: writes (unique payloads) and ReadIndex reads, with the client-visible
// guarantees checked: an acknowledged write is never lost, and a read returns a state at least as
// new as every write acknowledged before the read began.

import { RaftError } from '../src/errors.js';
import type { Entry, ReadState } from '../src/types.js';
import { encodePayload, payloadId } from './app-state.js';
import type { SafetyChecker } from './checker.js';
import { SimViolation, type SimNode } from './sim-node.js';

/** Errors a client may legitimately get back from propose/readIndex. */
const EXPECTED_CODES = new Set(['NotLeader', 'NoLeader', 'ProposalDropped']);

export class Clients {
  private nextWriteId = 1;
  private nextReadId = 1;
  /** Acknowledged writes by index. */
  private readonly acked = new Map<number, number>();
  /** Highest index of any acknowledged write so far. */
  maxAckedIndex = 0;
  /** Write id → callback for writes whose acknowledgement somebody waits for (the liveness probe). */
  private readonly watchers = new Map<number, () => void>();
  stats = { proposed: 0, rejected: 0, acked: 0, reads: 0, readsServed: 0, readsRejected: 0 };

  constructor(private readonly checker: SafetyChecker) {}

  /** Proposes a fresh write on `node`; returns its id, or undefined when the node refused it. */
  propose(node: SimNode, padding: number, onAck?: () => void): number | undefined {
    const id = this.nextWriteId++;
    this.stats.proposed++;
    let placed: { index: number; term: number };
    try {
      placed = node.node.propose(encodePayload(id, padding));
    } catch (e) {
      if (e instanceof RaftError && EXPECTED_CODES.has(e.code)) {
        this.stats.rejected++;
        return undefined;
      }
      throw e;
    }
    node.pendingProposals.set(placed.index, { id, term: placed.term });
    if (onAck) this.watchers.set(id, onAck);
    return id;
  }

  /** Starts a ReadIndex read on `node`; false when the node refused it. */
  read(node: SimNode): boolean {
    const id = this.nextReadId++;
    this.stats.reads++;
    try {
      node.node.readIndex(encodePayload(id, 0));
    } catch (e) {
      if (e instanceof RaftError && EXPECTED_CODES.has(e.code)) {
        this.stats.readsRejected++;
        return false;
      }
      throw e;
    }
    node.pendingReads.set(id, { minIndex: this.maxAckedIndex, index: -1 });
    return true;
  }

  /** Every node that applies an index where a write was acknowledged must apply that write. */
  checkNotLost(node: SimNode, e: Entry): void {
    const ackedId = this.acked.get(e.index);
    if (ackedId !== undefined && (e.type !== 'normal' || payloadId(e.data) !== ackedId)) {
      throw new SimViolation(`acknowledged write ${ackedId} at index ${e.index} lost: node ${node.id} applied something else there`);
    }
  }

  /** The proposing client sees its write applied at its index with its term: acknowledged. */
  acknowledge(node: SimNode, e: Entry): void {
    const ackedId = this.acked.get(e.index);
    const mine = node.pendingProposals.get(e.index);
    if (mine === undefined) return;
    node.pendingProposals.delete(e.index);
    // Acknowledged only if the entry at the index is the one proposed, at the term it got.
    if (e.term !== mine.term || e.type !== 'normal' || payloadId(e.data) !== mine.id) return;
    if (ackedId !== undefined) {
      throw new SimViolation(`two writes acknowledged at index ${e.index}: ${ackedId} and ${mine.id}`);
    }
    this.acked.set(e.index, mine.id);
    this.stats.acked++;
    if (e.index > this.maxAckedIndex) this.maxAckedIndex = e.index;
    const watcher = this.watchers.get(mine.id);
    if (watcher) {
      this.watchers.delete(mine.id);
      watcher();
    }
  }

  readState(node: SimNode, rs: ReadState): void {
    const id = payloadId(rs.context);
    const read = node.pendingReads.get(id);
    if (read === undefined || read.index >= 0) return;
    if (rs.index < read.minIndex) {
      throw new SimViolation(
        `stale read: read ${id} on node ${node.id} got read index ${rs.index}, but the write at ${read.minIndex} was acknowledged before it began`,
      );
    }
    read.index = rs.index;
  }

  /** Serves the reads whose read index the node has applied: it returns the node's state now. */
  serveReads(node: SimNode): void {
    if (node.pendingReads.size === 0) return;
    const state = node.app;
    for (const [id, read] of node.pendingReads) {
      if (read.index < 0 || state.applied < read.index) continue;
      node.pendingReads.delete(id);
      this.stats.readsServed++;
      if (state.applied < read.minIndex) {
        throw new SimViolation(`stale read: read ${id} on node ${node.id} returned the state at ${state.applied}, older than acknowledged write at ${read.minIndex}`);
      }
      const expected = this.checker.stateHashAt(state.applied);
      if (state.applied > 0 && expected !== undefined && expected !== state.hash) {
        throw new SimViolation(`read ${id} on node ${node.id} returned a state at ${state.applied} that no other node had there`);
      }
    }
  }
}
