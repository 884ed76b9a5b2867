// What the leader-side components share: the store, the Raft shell and the clock.

import type { EmulatedClock } from '../clock.js';
import { ApiError, DAEMON } from '../errors.js';
import type { TimingProfile } from '../profile.js';
import { StoreConflictError, type Change, type MemoryStore } from '../store/memory.js';
import type { ClusterObject } from './objects.js';
import type { RaftNode } from './raft/raft-node.js';
import type { Reservations } from './allocator/reservations.js';
import { RaftError } from '@swarmlab/raft';

export interface ManagerContext {
  store: MemoryStore;
  raft: RaftNode;
  clock: EmulatedClock;
  profile: TimingProfile;
  /** This manager's node ID. */
  nodeId: string;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Addresses, subnets and ports handed out whose commit has not applied yet. */
  reservations: Reservations;
}

/** Commits changes through Raft; maps store and Raft refusals to the daemon's errors. */
export async function commit(ctx: ManagerContext, changes: Change[]): Promise<void> {
  try {
    await ctx.raft.proposeTransaction({ changes, time: ctx.clock.iso() });
  } catch (e) {
    throw storeErrorToApi(e);
  }
}

export function storeErrorToApi(e: unknown): Error {
  if (e instanceof StoreConflictError) {
    if (e.kind === 'out-of-sequence') return DAEMON.outOfSequence();
    if (e.kind === 'name-conflict') return new ApiError(409, `rpc error: code = AlreadyExists desc = ${e.message}`);
    if (e.kind === 'exists') return new ApiError(409, `rpc error: code = AlreadyExists desc = ${e.message}`);
    return new ApiError(404, `rpc error: code = NotFound desc = ${e.message}`);
  }
  if (e instanceof RaftError) {
    if (e.code === 'NoLeader' || e.code === 'Unavailable') {
      return e.message.startsWith('The swarm does not have a leader') ? DAEMON.noLeader() : DAEMON.deadline();
    }
    return new ApiError(500, `rpc error: code = Unknown desc = ${e.message}`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

export function clusterOf(ctx: ManagerContext): ClusterObject {
  const c = ctx.store.list<ClusterObject>('cluster')[0];
  if (!c) throw new ApiError(503, 'rpc error: code = Unavailable desc = cluster object not found');
  return c;
}

/** Deep copy of a stored object for building an updated version of it. */
export function clone<T>(o: T): T {
  return structuredClone(o);
}
