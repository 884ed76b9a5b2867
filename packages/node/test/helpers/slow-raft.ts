// A leader's context over a real store and a Raft stand-in whose commits take a while and overlap
// (applied in proposal order, refusals rejected): for the orchestration loop and the allocators
// while several commits are in flight.

import { Reservations } from '../../src/manager/allocator/reservations.js';
import type { ManagerContext } from '../../src/manager/context.js';
import { PROFILES } from '../../src/profile.js';
import type { Change } from '../../src/store/memory.js';
import { storeWithNodes } from './direct-store.js';

export function slowCluster(nodes: number) {
  const { store, clock, apply } = storeWithNodes(nodes);
  let inFlight = 0;
  let mostInFlight = 0;
  let last = Promise.resolve();
  const raft = {
    proposeTransaction: (tx: { changes: Change[] }) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const done = last.then(() => new Promise<void>((resolve) => setTimeout(resolve, 5))).then(() => {
        inFlight--;
        apply(tx.changes);
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
