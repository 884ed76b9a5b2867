// Found by the simulator (seeds 3315, 3415, …): a leader that commits its own removal, makes the
// commit durable and crashes before telling anyone must not wedge the cluster.
import { expect, it } from 'vitest';
import { decodeConfChange, MemoryStorage, RawNode, SeededRandom, type Message } from '../src/index.js';

it('a leader that crashes right after committing its own removal does not wedge the cluster', () => {
  const st = new Map([1, 2].map((id) => [id, MemoryStorage.bootstrap([1, 2])]));
  const make = (id: number) => new RawNode({ id, storage: st.get(id)!, random: new SeededRandom(id), electionTick: 10 });
  const nodes = new Map([1, 2].map((id) => [id, make(id)]));
  let inFlight: Message[] = [];
  const drain = (only?: number, send = true) => {
    for (const [id, n] of nodes) {
      if (only !== undefined && id !== only) continue;
      while (n.hasReady()) {
        const rd = n.ready();
        st.get(id)!.append(rd.entries);
        if (rd.hardState) st.get(id)!.setHardState(rd.hardState);
        if (!send) return; // crash after the fsync, before sending or applying
        inFlight.push(...rd.messages);
        for (const e of rd.committedEntries) if (e.type === 'confChange') n.applyConfChange(decodeConfChange(e.data));
        n.advance(rd);
      }
    }
  };
  const deliver = (keep: (m: Message) => boolean = () => true) => {
    const ms = inFlight;
    inFlight = [];
    for (const m of ms) if (keep(m)) nodes.get(m.to)!.step(m);
    drain();
  };
  drain();
  nodes.get(2)!.campaign();
  for (let i = 0; i < 20; i++) deliver();
  const leader = nodes.get(2)!;
  const removal = leader.proposeConfChange({ changes: [{ type: 'removeNode', nodeId: 2 }] });
  drain();
  // The leader refuses to grow its log past its own removal.
  expect(() => leader.propose(new Uint8Array([1]))).toThrow('leaving the configuration');
  drain();
  deliver((m) => !(m.type === 'MsgApp' && m.entries.some((e) => e.index > removal.index)));
  for (const m of inFlight.splice(0)) nodes.get(m.to)!.step(m); // node 2 commits the removal
  drain(2, false); // ...persists it, and crashes before sending
  nodes.set(2, make(2)); // restart: re-applies its removal, never campaigns again
  drain();
  for (let t = 0; t < 500; t++) {
    for (const n of nodes.values()) n.tick();
    drain();
    deliver();
  }
  expect(nodes.get(1)!.status().state).toBe('leader');
});
