// A leader's context over a real store and a Raft stand-in whose commits take a while and overlap
// (applied in proposal order, refusals rejected): for the orchestration loop and the allocators
// while several commits are in flight.

import { EmulatedClock } from '../../src/clock.js';
import { Reservations } from '../../src/manager/allocator/reservations.js';
import type { ManagerContext } from '../../src/manager/context.js';
import { PROFILES } from '../../src/profile.js';
import { MemoryStore, type Change, type StoredObject } from '../../src/store/memory.js';
import { node } from '../scheduler-fixtures.js';

export function slowCluster(nodes: number) {
  const store = new MemoryStore();
  let index = 0;
  const clock = new EmulatedClock(1);
  const apply = (changes: Change[]) => store.apply(++index, { changes, time: clock.iso() });
  apply([{ action: 'create', table: 'cluster', object: { ID: 'c', Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Spec: { Orchestration: { TaskHistoryRetentionLimit: 5 } } } }]);
  for (let i = 1; i <= nodes; i++) apply([{ action: 'create', table: 'node', object: node(`n${i}`) as unknown as StoredObject }]);
  let inFlight = 0;
  let mostInFlight = 0;
  let last = Promise.resolve();
  const raft = {
    proposeTransaction: (tx: { changes: Change[] }) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const done = last.then(() => new Promise<void>((resolve) => setTimeout(resolve, 5))).then(() => {
        inFlight--;
        const refused = apply(tx.changes);
        if (refused) throw refused;
      });
      last = done.catch(() => undefined);
      return done;
    },
  };
  const ctx = { store, raft, clock, profile: PROFILES.fast, nodeId: 'n1', log: () => undefined, reservations: new Reservations() } as unknown as ManagerContext;
  return {
    store,
    ctx,
    apply,
    busy: () => inFlight > 0,
    mostInFlight: () => mostInFlight,
    /** Resolves once every commit proposed so far has settled. */
    settled: () => last,
  };
}
