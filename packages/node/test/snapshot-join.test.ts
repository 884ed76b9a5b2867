// A manager that joins after the log was compacted is sent a snapshot, and must be able to take
// it: Raft refuses a snapshot whose configuration does not hold the receiver, so the leader
// snapshots again once the new member is in the configuration. With a tiny snapshot interval
// (docker swarm update --snapshot-interval), a promoted worker becomes a Reachable manager with
// the same store as the leader.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { addLabel, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ name: 'snapjoin', managers: 1, workers: 1 });
}, 60_000);
afterAll(stopAllLabs, 60_000);

describe('joining after log compaction', () => {
  it('a promoted worker catches up from a snapshot that includes it', async () => {
    const api = lab.client('manager1');
    const swarm = await api.swarmInspect();
    await api.swarmUpdate({ ...swarm.Spec, Raft: { ...swarm.Spec.Raft, SnapshotInterval: 20 } }, { version: swarm.Version.Index });
    expect((await api.swarmInspect()).Spec.Raft.SnapshotInterval).toBe(20);
    // Well past several snapshots and the 500 entries kept behind one for slow followers, so the
    // log no longer starts at the beginning and a joiner must be sent a snapshot.
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => api.secretCreate({ Name: `s${batch}-${i}`, Data: Buffer.from('x').toString('base64') })));
    }
    for (let i = 0; i < 70; i++) await addLabel(lab, 'manager1', 'manager1', `k${i}`, 'v');

    const w = await api.nodeInspect('worker1');
    await api.nodeUpdate(w.ID, w.Version.Index, { ...w.Spec, Role: 'manager' });
    await lab.waitFor(async () => {
      const n = await api.nodeInspect('worker1');
      return n.ManagerStatus?.Reachability === 'reachable';
    }, 30_000, 'worker1 a reachable manager');
    const [leader, joined] = await lab.waitFor(async () => {
      const s = await Promise.all(['manager1', 'worker1'].map((m) => lab.status(m)));
      const stores = s.map((x) => x.store as { appliedIndex: number; digest: string } | undefined);
      return stores.every((x) => x) && stores[0]!.digest === stores[1]!.digest ? stores : undefined;
    }, 30_000, 'the same store on both managers');
    expect(joined!.appliedIndex).toBe(leader!.appliedIndex);
    // The joined manager serves reads too (forwarded to the leader, answered at its index).
    expect((await lab.client('worker1').nodeInspect('manager1')).Spec.Labels).toMatchObject({ k69: 'v' });
  }, 90_000);
});
