// A store whose writes apply at once, in order, as committed Raft entries would, with no Raft:
// the fixture of the tests that drive the leader's parts (dispatcher, orchestration) directly.

import { EmulatedClock } from '../../src/clock.js';
import { MemoryStore, type Change, type StoredObject } from '../../src/store/memory.js';
import { node } from '../scheduler-fixtures.js';

export function directStore() {
  const store = new MemoryStore();
  const clock = new EmulatedClock(1);
  let index = 0;
  /** Applies the changes as the next entry; throws what the store refuses. */
  const apply = (changes: Change[]) => {
    const refused = store.apply(++index, { changes, time: clock.iso() });
    if (refused) throw refused;
  };
  return { store, clock, apply };
}

/** A direct store holding a cluster (task history kept: 5) and the ready nodes n1…nN of the scheduler fixtures. */
export function storeWithNodes(nodeCount: number) {
  const s = directStore();
  s.apply([{ action: 'create', table: 'cluster', object: { ID: 'c', Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Spec: { Orchestration: { TaskHistoryRetentionLimit: 5 } } } }]);
  for (let i = 1; i <= nodeCount; i++) s.apply([{ action: 'create', table: 'node', object: node(`n${i}`) as unknown as StoredObject }]);
  return s;
}
