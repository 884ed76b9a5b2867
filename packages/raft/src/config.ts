// Configuration of one Raft node. Defaults are SwarmKit's (swarm-facts §1.1) except preVote,
// which SwarmKit leaves off and we turn on: it stops a rejoining node from disrupting the leader.

import type { Random } from './rand.js';
import type { Storage } from './storage.js';
import type { NodeId } from './types.js';

export interface Config {
  id: NodeId;
  storage: Storage;
  /** Source of election jitter; required so runs are reproducible. */
  random: Random;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  electionTick?: number;
  heartbeatTick?: number;
  /** Last applied index when restarting; entries up to it are not handed out again. */
  applied?: number;
  /** Upper bound in bytes of the entries in one MsgApp. */
  maxSizePerMsg?: number;
  /** Upper bound of MsgApp in flight to one follower while replicating optimistically. */
  maxInflightMsgs?: number;
  /** Upper bound of a single proposal's payload (SwarmKit: 1.5 MiB). */
  maxProposalBytes?: number;
  /** Upper bound of the total size of uncommitted entries on the leader; 0 for none. */
  maxUncommittedEntriesSize?: number;
  /** Snapshots larger than this go out as several MsgSnap chunks. */
  snapshotChunkBytes?: number;
  checkQuorum?: boolean;
  preVote?: boolean;
}

export type ResolvedConfig = Required<Config>;

export const DEFAULTS = {
  electionTick: 10,
  heartbeatTick: 1,
  applied: 0,
  maxSizePerMsg: 65535,
  maxInflightMsgs: 256,
  maxProposalBytes: 1.5 * 1024 * 1024,
  maxUncommittedEntriesSize: 0,
  snapshotChunkBytes: 4 * 1024 * 1024,
  checkQuorum: true,
  preVote: true,
} as const;

export function resolveConfig(c: Config): ResolvedConfig {
  const r = { ...DEFAULTS, ...stripUndefined(c) } as ResolvedConfig;
  if (r.id === 0) throw new Error('raft: cannot use 0 as a node id');
  if (r.heartbeatTick <= 0) throw new Error('raft: heartbeat tick must be greater than 0');
  if (r.electionTick <= r.heartbeatTick) throw new Error('raft: election tick must be greater than heartbeat tick');
  if (r.maxInflightMsgs <= 0) throw new Error('raft: max inflight messages must be greater than 0');
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
