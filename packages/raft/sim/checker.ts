// Raft's safety properties, checked incrementally after every simulation step. Each check only
// looks at what just changed, so checking stays cheap enough to run on every event.
// A violated property throws SimViolation with a sentence saying what broke and where.

import type { Entry, Snapshot } from '../src/types.js';
import { entryFingerprint } from './app-state.js';
import { SimViolation, type SimNode } from './sim-node.js';

interface EntryRecord {
  fingerprint: number;
  prevTerm: number;
  node: number;
}

interface AppliedRecord {
  term: number;
  fingerprint: number;
  hash: number;
  node: number;
}

export class SafetyChecker {
  /** The one leader of each term. */
  private readonly leaders = new Map<number, number>();
  /** Every (index, term) any node has held: content and the term of the entry before it. */
  private readonly entries = new Map<number, EntryRecord>();
  /** Term of every committed index, as the committing nodes' logs say. */
  private readonly committedTerms: number[] = [];
  maxCommitted = 0;
  /** What the first node to apply an index applied there, and its state hash after it. */
  private readonly appliedAt: AppliedRecord[] = [];
  elections = 0;

  /**
   * Notices role, term and commit changes of a node after it processed an input. Returns
   * whether it just became leader or advanced its commit index as leader (moments worth a crash).
   */
  observe(node: SimNode, onRoleChange: (text: string) => void): boolean {
    const raft = node.raft;
    if (!raft) return false;
    const seen = node.seen;
    let moment = false;
    if (raft.state !== seen.state || raft.term !== seen.term || raft.lead !== seen.lead) {
      const becameLeader = raft.state === 'leader' && (seen.state !== 'leader' || seen.term !== raft.term);
      seen.state = raft.state;
      seen.term = raft.term;
      seen.lead = raft.lead;
      onRoleChange(`node ${node.id} ${raft.state} term ${raft.term} lead ${raft.lead}`);
      if (becameLeader) moment = true;
    }
    // A leadership counts once the leader's term is durable: a single voter wins its election in
    // memory, and a crash before the fsync leaves no trace of that term.
    if (raft.state === 'leader' && seen.leaderOf !== raft.term) {
      if (node.storage.hardStateNow().term === raft.term) {
        seen.leaderOf = raft.term;
        this.leaderElected(node);
      }
    }
    if (raft.state === 'leader' && raft.raftLog.committed > seen.commit) moment = true;
    seen.commit = raft.raftLog.committed;
    return moment;
  }

  /** Election safety and leader completeness, once a node's leadership of a term is durable. */
  private leaderElected(node: SimNode): void {
    const raft = node.raft!;
    this.elections++;
    const other = this.leaders.get(raft.term);
    if (other !== undefined && other !== node.id) {
      throw new SimViolation(`election safety: nodes ${other} and ${node.id} are both leaders of term ${raft.term}`);
    }
    this.leaders.set(raft.term, node.id);
    const log = raft.raftLog;
    const from = log.firstIndex();
    for (let i = from; i <= this.maxCommitted; i++) {
      const want = this.committedTerms[i];
      if (want === undefined) continue;
      const have = log.termOrUndefined(i);
      if (have !== want) {
        throw new SimViolation(
          `leader completeness: node ${node.id}, leader of term ${raft.term}, has ${have === undefined ? 'no entry' : `term ${have}`} at index ${i}, committed at term ${want}`,
        );
      }
    }
  }

  /**
   * A node made its commit index durable: entries up to it are committed and must never differ
   * anywhere. (A commit index only in memory does not count: a single voter "commits" entries it
   * has not written yet, and a crash takes both away before anyone saw them.)
   */
  durableCommit(node: SimNode, from: number, to: number): void {
    const storage = node.storage;
    for (let i = Math.max(from, storage.firstIndex()); i <= to; i++) {
      const t = storage.term(i);
      const known = this.committedTerms[i];
      if (known === undefined) this.committedTerms[i] = t;
      else if (known !== t) {
        throw new SimViolation(`committed entry changed: node ${node.id} committed index ${i} at term ${t}, earlier committed at term ${known}`);
      }
    }
    if (to > this.maxCommitted) this.maxCommitted = to;
  }

  /**
   * Log matching: an (index, term) pair names one entry, placed after one same predecessor.
   * By induction over indexes that makes every two logs sharing (index, term) equal up to it.
   */
  persisted(node: SimNode, ents: Entry[], prevTerm: number): void {
    let prev = prevTerm;
    for (const e of ents) {
      const key = e.index * 1048576 + e.term;
      const fp = entryFingerprint(e);
      const known = this.entries.get(key);
      if (known === undefined) {
        this.entries.set(key, { fingerprint: fp, prevTerm: prev, node: node.id });
      } else if (known.fingerprint !== fp) {
        throw new SimViolation(`log matching: node ${node.id} holds a different entry at index ${e.index} term ${e.term} than node ${known.node}`);
      } else if (known.prevTerm !== prev) {
        throw new SimViolation(
          `log matching: node ${node.id} holds index ${e.index} term ${e.term} after an entry of term ${prev}; node ${known.node} after term ${known.prevTerm}`,
        );
      }
      prev = e.term;
    }
  }

  /** State-machine safety: every node applies the same entry, reaching the same state, at an index. */
  applied(node: SimNode, e: Entry): void {
    const fp = entryFingerprint(e);
    const hash = node.app.hash;
    const known = this.appliedAt[e.index];
    if (known === undefined) {
      this.appliedAt[e.index] = { term: e.term, fingerprint: fp, hash, node: node.id };
      return;
    }
    if (known.term !== e.term || known.fingerprint !== fp) {
      throw new SimViolation(
        `state-machine safety: node ${node.id} applied term ${e.term} ${describe(e)} at index ${e.index}; node ${known.node} applied term ${known.term} there`,
      );
    }
    if (known.hash !== hash) {
      throw new SimViolation(`state-machine safety: node ${node.id} reached a different state at index ${e.index} than node ${known.node}`);
    }
  }

  /** A snapshot must hold exactly the state that nodes reached by applying up to its index. */
  snapshotInstalled(node: SimNode, snap: Snapshot): void {
    const i = snap.metadata.index;
    const known = this.appliedAt[i];
    if (known !== undefined && known.hash !== node.app.hash) {
      throw new SimViolation(`state-machine safety: node ${node.id} installed a snapshot at ${i} whose state differs from node ${known.node}'s`);
    }
    const want = this.committedTerms[i];
    if (want !== undefined && want !== snap.metadata.term) {
      throw new SimViolation(`node ${node.id} installed a snapshot at ${i} term ${snap.metadata.term}; index ${i} was committed at term ${want}`);
    }
  }

  /** The state hash every node reached at an index, if any node applied it. */
  stateHashAt(index: number): number | undefined {
    return this.appliedAt[index]?.hash;
  }
}

function describe(e: Entry): string {
  if (e.type === 'confChange') return 'a conf change';
  return e.data.length === 0 ? 'an empty entry' : 'a client write';
}
