// A swarm of real node processes on loopback: formation, failover, restart, quorum loss and
// --force-new-cluster, crash safety under concurrent writes, and no plaintext on disk.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addLabel, docker, startLab, stopAllLabs } from './helpers/lab.js';

afterAll(stopAllLabs, 60_000);

const NO_LEADER = "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

describe('a 3-manager, 2-worker swarm', () => {
  it('forms through the API; docker node ls shows five Ready nodes and one Leader; survives losing its leader', async () => {
    const lab = await startLab({ name: 'form', managers: 3, workers: 2 });
    const m1 = lab.node('manager1').spec.addr;
    const cli = await docker(m1, ['node', 'ls']);
    const nodes = await lab.client('manager1').nodeList();
    expect(nodes.filter((n) => n.Status.State === 'ready')).toHaveLength(5);
    expect(nodes.filter((n) => n.ManagerStatus?.Leader)).toHaveLength(1);
    if (cli) {
      const rows = cli.stdout.trim().split('\n').slice(1);
      expect(rows).toHaveLength(5);
      expect(rows.filter((r) => /\sReady\s/.test(r))).toHaveLength(5);
      expect(rows.filter((r) => /\sLeader\s/.test(r))).toHaveLength(1);
      expect(cli.stdout.split('\n')[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
    }

    // SIGKILL the leader: another manager takes over and accepts writes.
    const oldLeader = (await lab.leader())!;
    await lab.kill(oldLeader);
    const newLeader = await lab.waitFor(async () => {
      const l = await lab.leader();
      return l && l !== oldLeader ? l : undefined;
    }, 15_000, 'a new leader');
    await addLabel(lab, newLeader, 'worker1', 'after-failover', 'yes');
    expect((await lab.client(newLeader).nodeInspect('worker1')).Spec.Labels).toMatchObject({ 'after-failover': 'yes' });

    // The killed node restarts on its state directory as the same node and is Reachable again.
    const before = (await lab.client(newLeader).nodeList()).find((n) => n.Description.Hostname === oldLeader)!;
    await lab.start(oldLeader);
    await lab.waitFor(async () => {
      const n = (await lab.client(newLeader).nodeList()).find((x) => x.Description.Hostname === oldLeader);
      return n?.Status.State === 'ready' && n.ManagerStatus?.Reachability === 'reachable';
    }, 15_000, `${oldLeader} Ready and Reachable`);
    const after = (await lab.client(newLeader).nodeList()).find((n) => n.Description.Hostname === oldLeader)!;
    expect(after.ID).toBe(before.ID);
  }, 120_000);
});

describe('quorum', () => {
  it('fails control calls without a leader, resumes when a manager returns, and --force-new-cluster keeps the state', async () => {
    const lab = await startLab({ name: 'quorum', managers: 3, workers: 1 });
    await addLabel(lab, 'manager1', 'worker1', 'kept', 'yes');
    await lab.kill('manager2,manager3');
    // Once the lost-quorum timeout has passed, calls fail at once with Docker's message.
    const err = await lab.waitFor(async () => {
      try {
        await lab.client('manager1', 5000).nodeList();
        return undefined;
      } catch (e) {
        return String(e).includes(NO_LEADER) ? String(e) : undefined;
      }
    }, 20_000, 'the no-leader error');
    expect(err).toContain(NO_LEADER);

    await lab.start('manager2');
    await lab.waitFor(async () => (await lab.client('manager1', 3000).nodeList()).length === 4, 20_000, 'service to resume');

    // Lose the quorum again, then bring the lone survivor back as a one-member cluster.
    await lab.kill('manager2');
    await lab.waitFor(async () => {
      try {
        await lab.client('manager1', 3000).nodeList();
        return false;
      } catch (e) {
        return String(e).includes(NO_LEADER);
      }
    }, 20_000, 'the no-leader error again');
    const api = lab.client('manager1');
    const nodeId = await api.swarmInit({ ForceNewCluster: true, ListenAddr: '0.0.0.0:2377', AdvertiseAddr: lab.node('manager1').spec.addr });
    expect(nodeId).toBe((await api.info()).Swarm.NodeID);
    const worker = await lab.waitFor(async () => (await api.nodeInspect('worker1')) ?? undefined, 10_000, 'worker1 after force-new-cluster');
    expect(worker.Spec.Labels).toMatchObject({ kept: 'yes' });
    await addLabel(lab, 'manager1', 'worker1', 'after-force', 'yes');
    const managers = (await api.nodeList()).filter((n) => n.ManagerStatus);
    expect(managers.map((n) => n.Description.Hostname)).toEqual(['manager1']);
  }, 120_000);
});

describe('crash safety', () => {
  it('keeps every acknowledged write on every manager after SIGKILLs during a write storm', async () => {
    const lab = await startLab({ name: 'crash', managers: 3, workers: 2 });
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const via = ['manager1', 'manager2', 'manager3'][(w + i) % 3];
        const key = `w${w}-${i}`;
        try {
          await addLabel(lab, via, `worker${(w % 2) + 1}`, key, 'v', { attempts: 5, retryTransient: false });
          acked.push(key);
        } catch {
          // Indeterminate or refused (no leader, killed mid-request): not acknowledged.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
    // Kills land in the middle of the storm: after some writes are acknowledged, not after some time
    // (a busy machine may acknowledge few writes in a fixed interval).
    const afterMoreAcks = (n: number) => {
      const target = acked.length + n;
      return lab.waitFor(() => acked.length >= target, 60_000, `${target} acknowledged writes`);
    };
    await afterMoreAcks(10);
    await lab.kill('leader');
    await afterMoreAcks(3);
    await lab.kill('manager3');
    await new Promise((r) => setTimeout(r, 300));
    await lab.start('managers');
    await afterMoreAcks(10);
    stop = true;
    await Promise.all(writers);
    expect(acked.length).toBeGreaterThan(20);

    await lab.waitFor(() => lab.allReady(), 20_000, 'every node Ready');
    // Every manager's store converges to the same state, and it holds every acknowledged write.
    const statuses = await lab.waitFor(async () => {
      const s = await Promise.all(['manager1', 'manager2', 'manager3'].map((m) => lab.status(m)));
      const digests = new Set(s.map((x) => (x.store as { digest: string }).digest));
      return digests.size === 1 ? s : undefined;
    }, 20_000, 'managers to converge');
    expect(statuses).toHaveLength(3);
    const labels = {
      ...(await lab.client('manager1').nodeInspect('worker1')).Spec.Labels,
      ...(await lab.client('manager2').nodeInspect('worker2')).Spec.Labels,
    };
    const missing = acked.filter((k) => !(k in labels));
    expect(missing).toEqual([]);
  }, 120_000);
});

describe('encryption at rest', () => {
  it('writes nothing from the store in plaintext under any state directory', async () => {
    const lab = await startLab({ name: 'plain', managers: 3, workers: 1 });
    const marker = 'PLAINTEXT-MARKER-7f3a91c2';
    await addLabel(lab, 'manager1', 'worker1', 'secretish', marker);
    // Let every manager persist it.
    await lab.waitFor(async () => {
      const s = await Promise.all(['manager1', 'manager2', 'manager3'].map((m) => lab.status(m)));
      return new Set(s.map((x) => (x.store as { digest: string }).digest)).size === 1;
    }, 10_000, 'replication');
    const hits: string[] = [];
    const scan = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) scan(p);
        else if (readFileSync(p).includes(marker)) hits.push(p);
      }
    };
    for (const n of lab.nodes.values()) scan(n.spec.stateDir);
    expect(hits).toEqual([]);
  }, 60_000);
});
