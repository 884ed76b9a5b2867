// A join that fails after the CA issued its certificate and is then retried leaves a node object
// no process uses (the retry made a new key, so a new node ID). The launcher removes such entries
// after a retried join. A worker that leaves and joins again leaves the same state behind, which
// is how this test makes it without breaking a join on purpose.

import { describe, expect, it } from 'vitest';
import { labPerFile } from './helpers/lab-per-file.js';

const file = labPerFile('orphans');

describe('orphaned node entries', () => {
  it('are removed after a retried join, so the hostname is listed once, for the running node', async () => {
    const lab = await file.up({ managers: 1, workers: 1, fresh: true });
    const manager = lab.client('manager1');
    const worker = lab.client('worker1');
    const first = (await worker.info()).Swarm?.NodeID;
    await worker.swarmLeave(true);
    const swarm = await manager.swarmInspect();
    const remote = `${lab.node('manager1').spec.addr}:2377`;
    await worker.swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: lab.node('worker1').spec.addr, RemoteAddrs: [remote], JoinToken: swarm.JoinTokens.Worker });
    const second = (await worker.info()).Swarm?.NodeID;
    expect(second).not.toBe(first);
    const listed = async () => (await manager.nodeList()).filter((n) => n.Description?.Hostname === 'worker1').map((n) => n.ID);
    expect((await listed()).sort()).toEqual([first, second].sort());

    // What join() runs once a retried `docker swarm join` has succeeded.
    await (lab as unknown as { removeOrphansOf(name: string, remote: string): Promise<void> }).removeOrphansOf('worker1', remote);
    expect(await listed()).toEqual([second]);
  }, 60_000);
});
