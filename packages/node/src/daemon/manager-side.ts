// What only a manager runs: Raft, its disk storage, the store, the manager's components and the
// CA's node objects. The daemon imports this module on first use (init, a manager join or
// restart, promotion), so a worker process never loads or compiles any of it.

import { encodeConfChange, type Entry } from '@swarmlab/raft';
import type { RaftMember } from '../manager/raft/members.js';
import { encodeMember } from '../manager/raft/members.js';
import { RaftDiskStorage } from '../storage/index.js';
import type { StateDir } from './state-dir.js';

export { encodeConfChange, type Entry } from '@swarmlab/raft';
export { commit, type ManagerContext } from '../manager/context.js';
export { newKeyRing } from '../manager/keymanager/keymanager.js';
export { Manager } from '../manager/manager.js';
export { Reservations } from '../manager/allocator/reservations.js';
export { newNodeObject } from '../manager/ca/server.js';
export { newRaftId } from '../manager/raft/members.js';
export { RaftNode } from '../manager/raft/raft-node.js';
export { raftTickMs } from '../manager/raft/tick.js';
export { MemoryStore } from '../store/memory.js';
export { RaftDiskStorage } from '../storage/index.js';
export { defaultIngressNetwork } from './defaults.js';

/** Writes the first log entry of a one-member cluster (SwarmKit's first manager). */
export async function bootstrapRaft(dir: StateDir, dek: Buffer, member: RaftMember): Promise<void> {
  await dir.writeRaftId(member.raftId);
  const storage = await RaftDiskStorage.open(dir.root, dek);
  const entry: Entry = {
    term: 1,
    index: 1,
    type: 'confChange',
    data: encodeConfChange({ changes: [{ type: 'addNode', nodeId: member.raftId }], context: encodeMember(member) }),
  };
  await storage.save({ hardState: { term: 1, vote: 0, commit: 1 }, entries: [entry] });
  await storage.close();
}
