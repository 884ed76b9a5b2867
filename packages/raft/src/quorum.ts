// Quorum arithmetic for a majority configuration and for a joint (old ∪ new) configuration.

import type { NodeId } from './types.js';

export type VoteResult = 'pending' | 'lost' | 'won';

/** Stands for "no constraint" when a configuration is empty (a joint config's unused half). */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** The largest index acknowledged by a majority of `ids`. */
export function majorityCommitted(ids: ReadonlySet<NodeId>, acked: (id: NodeId) => number | undefined): number {
  const n = ids.size;
  if (n === 0) return NO_LIMIT;
  const matched: number[] = [];
  for (const id of ids) matched.push(acked(id) ?? 0);
  matched.sort((a, b) => b - a);
  return matched[Math.floor(n / 2)];
}

export function majorityVoteResult(ids: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (ids.size === 0) return 'won'; // an empty configuration agrees with anything (joint halves)
  let yes = 0;
  let missing = 0;
  for (const id of ids) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(ids.size / 2) + 1;
  if (yes >= q) return 'won';
  if (yes + missing >= q) return 'pending';
  return 'lost';
}

/** A joint configuration is [incoming, outgoing]; outgoing is empty outside joint consensus. */
export type JointConfig = [Set<NodeId>, Set<NodeId>];

export function jointCommitted(c: JointConfig, acked: (id: NodeId) => number | undefined): number {
  return Math.min(majorityCommitted(c[0], acked), majorityCommitted(c[1], acked));
}

export function jointVoteResult(c: JointConfig, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const r1 = majorityVoteResult(c[0], votes);
  const r2 = majorityVoteResult(c[1], votes);
  if (r1 === r2) return r1;
  if (r1 === 'lost' || r2 === 'lost') return 'lost';
  return 'pending';
}
