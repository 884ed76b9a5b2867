// Raft membership as SwarmKit keeps it: each Raft ID maps to the swarm node ID and the address
// other managers dial. It travels as the context of AddNode conf changes and in snapshots.

import { Packr } from 'msgpackr';

export interface RaftMember {
  raftId: number;
  nodeId: string;
  addr: string;
}

const packr = new Packr({ useRecords: false });

export function encodeMember(m: RaftMember): Uint8Array {
  return packr.pack(m);
}

export function decodeMember(data: Uint8Array | undefined): RaftMember | undefined {
  if (!data || data.length === 0) return undefined;
  try {
    const m = packr.unpack(data) as RaftMember;
    if (typeof m?.raftId === 'number' && typeof m.nodeId === 'string' && typeof m.addr === 'string') return m;
  } catch {
    // A context that is not a member: ignore it (the conf change still applies).
  }
  return undefined;
}

/** A new random Raft ID, as SwarmKit: uint63 + 1, kept below 2^53 here, never 0 or in use. */
export function newRaftId(inUse: Iterable<number>, random: () => number = Math.random): number {
  const taken = new Set(inUse);
  for (;;) {
    const id = Math.floor(random() * (Number.MAX_SAFE_INTEGER - 1)) + 1;
    if (!taken.has(id)) return id;
  }
}

/**
 * What a member answers a Raft ID it has removed (SwarmKit's ProcessRaftMessage replies NotFound
 * ErrMemberRemoved, etcd's peers 410 Gone). A member cut off while it was removed never receives
 * the commit of its removal; this tells it, and it stops as a removed member does.
 */
export interface RemovedNotice {
  type: 'MsgMemberRemoved';
  from: number;
  to: number;
}

export function isRemovedNotice(m: unknown): m is RemovedNotice {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'MsgMemberRemoved';
}
