// Root CA rotation on a real swarm (`docker swarm ca --rotate`): every node renews from the new
// key while both roots are trusted, then the new root alone is trusted and the join tokens name it;
// the swarm keeps working through it, a restarted node comes back and a new node joins after it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { parseJoinToken, rootCADigest } from '@swarmlab/pki';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ name: 'carotation', managers: 3, workers: 1 });
}, 60_000);
afterAll(stopAllLabs, 60_000);

const certificates = (name: string) => join(lab.node(name).spec.stateDir, 'certificates');

describe('root CA rotation', () => {
  it('moves every node to a new root, makes new join tokens, and the swarm works on', async () => {
    const api = lab.client('manager1');
    const before = await api.swarmInspect();
    const oldRoot = before.TLSInfo.TrustRoot;

    const cli = await docker(lab.node('manager2').spec.addr, ['swarm', 'ca', '--rotate']);
    if (cli) {
      expect(cli.stderr).not.toMatch(/Error/);
      expect(cli.stdout).toMatch(/-----BEGIN CERTIFICATE-----/);
    } else {
      await api.swarmUpdate({ ...before.Spec, CAConfig: { ...before.Spec.CAConfig, ForceRotate: (before.Spec.CAConfig.ForceRotate ?? 0) + 1 } }, { version: before.Version.Index });
    }
    const after = await lab.waitFor(async () => {
      const s = await api.swarmInspect();
      return !s.RootRotationInProgress && s.TLSInfo.TrustRoot !== oldRoot ? s : undefined;
    }, 30_000, 'the rotation to end');
    const newRoot = after.TLSInfo.TrustRoot;
    if (cli) expect(cli.stdout).toContain(newRoot.trim());

    // Every node: certificate from the new key, the new root alone trusted, on disk too.
    const nodes = await api.nodeList();
    expect(nodes.every((n) => n.Status.State === 'ready')).toBe(true);
    expect(nodes.map((n) => n.Description.TLSInfo)).toEqual(nodes.map(() => after.TLSInfo));
    const rootCert = new X509Certificate(newRoot);
    for (const name of ['manager1', 'manager2', 'manager3', 'worker1']) {
      await lab.waitFor(async () => (readFileSync(join(certificates(name), 'swarm-root-ca.crt'), 'utf8') === newRoot ? true : undefined), 10_000, `${name}'s trust root`);
      expect(new X509Certificate(readFileSync(join(certificates(name), 'swarm-node.crt'))).verify(rootCert.publicKey)).toBe(true);
    }
    // The join tokens name the new root; the old ones are gone.
    expect(after.JoinTokens.Worker).not.toBe(before.JoinTokens.Worker);
    expect(`sha256:${parseJoinToken(after.JoinTokens.Worker).digest}`).toBe(rootCADigest(newRoot));

    // The swarm works on: Raft writes, tasks on every node, a restarted worker, a new node.
    await api.serviceCreate({ Name: 'after', TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '1d'] } }, Mode: { Global: {} } });
    await lab.restart('worker1');
    const [added] = await lab.add({ workers: 1 });
    const ready = await lab.waitFor(async () => {
      const list = await api.nodeList();
      return list.length === 5 && list.every((n) => n.Status.State === 'ready') ? list : undefined;
    }, 30_000, 'five Ready nodes');
    expect(ready.find((n) => n.Description.Hostname === added)).toBeDefined();
    await lab.waitFor(async () => {
      const tasks = await api.taskList({ service: ['after'], 'desired-state': ['running'] });
      return tasks.filter((t) => t.Status.State === 'running').length === 5 ? true : undefined;
    }, 30_000, 'a running task on every node');
  }, 120_000);

  it('is held up by a node that is away until it is back, which then renews too', async () => {
    const api = lab.client('manager1');
    await lab.pause('worker1');
    try {
      const before = await api.swarmInspect();
      await api.swarmUpdate({ ...before.Spec, CAConfig: { ...before.Spec.CAConfig, ForceRotate: (before.Spec.CAConfig.ForceRotate ?? 0) + 1 } }, { version: before.Version.Index });
      const desired = (await api.swarmInspect()).TLSInfo;
      // Every other node renews; the paused one cannot, so the rotation stays under way.
      await lab.waitFor(async () => {
        const nodes = await api.nodeList();
        const renewed = nodes.filter((n) => n.Description.TLSInfo.CertIssuerPublicKey === desired.CertIssuerPublicKey);
        return renewed.length === nodes.length - 1 ? true : undefined;
      }, 30_000, 'every node but the paused one to renew');
      expect((await api.swarmInspect()).RootRotationInProgress).toBe(true);
    } finally {
      await lab.resume('worker1');
    }
    await lab.waitFor(async () => ((await api.swarmInspect()).RootRotationInProgress ? undefined : true), 30_000, 'the rotation to end once worker1 is back');
    const node = (await api.nodeList()).find((n) => n.Description.Hostname === 'worker1')!;
    expect(node.Description.TLSInfo).toEqual((await api.swarmInspect()).TLSInfo);
  }, 120_000);
});
