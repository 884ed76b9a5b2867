// Who may talk to a node: a wrong token, a foreign certificate or no certificate get nothing
// from 2377 (but the CA's root, as SwarmKit allows) or 7946; a removed node cannot come back.

import { createNodeKeyAndCSR, createRootCA, decodePemBlocks, encodePem, issueNodeCertificate, newIdentityId } from '@swarmlab/pki';
import { dial, Nic, SecurityConfig, sealPacket } from '@swarmlab/transport';
import { NodeProcess, nodeAddress } from '@swarmlab/launcher';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;
const extra: NodeProcess[] = [];

beforeAll(async () => {
  lab = await startLab({ name: 'security', managers: 3, workers: 2 });
}, 60_000);

afterAll(async () => {
  await Promise.all(extra.map((p) => p.kill().catch(() => undefined)));
  await stopAllLabs();
}, 60_000);

/** A client NIC on a free address of the cluster's block (the "attacker"). */
function attackerNic(index: number): Nic {
  const block = Number(lab.node('manager1').spec.addr.split('.')[1]);
  return new Nic({ address: nodeAddress(block, 200 + index) });
}

async function foreignManagerCredentials() {
  const ca = await createRootCA();
  const { keyPem, csrPem } = await createNodeKeyAndCSR();
  const cert = await issueNodeCertificate(ca, csrPem, { nodeId: newIdentityId(), role: 'manager', clusterId: newIdentityId() });
  return { ca, certPem: cert.certPem, keyPem };
}

describe('2377 (cluster management)', () => {
  it('refuses a joiner with a wrong token, and the node stays out of the swarm', async () => {
    const block = Number(lab.node('manager1').spec.addr.split('.')[1]);
    const p = new NodeProcess({
      name: 'intruder',
      role: 'worker',
      addr: nodeAddress(block, 150),
      stateDir: join(lab.dir, 'nodes', 'intruder'),
      logFile: join(lab.dir, 'logs', 'intruder.log'),
      profile: 'fast',
      timeScale: 1,
      controlUrl: lab.control.url,
    });
    extra.push(p);
    await p.start();
    const real = (await lab.client('manager1').swarmInspect()).JoinTokens.Worker;
    const wrong = real.slice(0, -25) + 'a'.repeat(25);
    const { DockerClient } = await import('@swarmlab/api');
    const api = new DockerClient({ host: p.spec.addr, port: 2375 });
    await expect(
      api.swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: p.spec.addr, RemoteAddrs: [`${lab.node('manager1').spec.addr}:2377`], JoinToken: wrong }),
    ).rejects.toThrow('A valid join token is necessary to join this cluster');
    expect((await api.info()).Swarm.LocalNodeState).toBe('inactive');
    const names = (await lab.client('manager1').nodeList()).map((n) => n.Description.Hostname);
    expect(names).not.toContain('intruder');
  }, 60_000);

  it('gives a peer without a certificate only the root CA', async () => {
    const nic = attackerNic(1);
    try {
      const link = await dial({ nic, host: lab.node('manager1').spec.addr, port: 2377, security: new SecurityConfig(), verifyServer: false });
      try {
        const root = (await link.request('ca', 'rootCA', null, { timeoutMs: 5000 })) as string;
        expect(root).toContain('BEGIN CERTIFICATE');
        await expect(link.request('control', 'call', { op: 'node.list', args: { args: {} } }, { timeoutMs: 5000 })).rejects.toThrow(/PermissionDenied|no client certificates/);
        await expect(link.request('dispatcher', 'register', { addr: nic.address }, { timeoutMs: 5000 })).rejects.toThrow(/PermissionDenied|no client certificates/);
      } finally {
        link.close();
      }
    } finally {
      await nic.close();
    }
  }, 30_000);

  it('refuses a certificate from another cluster during the handshake', async () => {
    const nic = attackerNic(2);
    const foreign = await foreignManagerCredentials();
    try {
      const security = new SecurityConfig({ certPem: foreign.certPem, keyPem: foreign.keyPem, roots: [foreign.ca.certPem] });
      await expect(
        (async () => {
          const link = await dial({ nic, host: lab.node('manager1').spec.addr, port: 2377, security, verifyServer: false });
          try {
            await link.request('control', 'call', { op: 'node.list', args: { args: {} } }, { timeoutMs: 3000 });
          } finally {
            link.close();
          }
        })(),
      ).rejects.toThrow();
    } finally {
      await nic.close();
    }
  }, 30_000);
});

describe('7946 (gossip)', () => {
  it('drops and counts packets sealed with a key outside the ring', async () => {
    const target = lab.node('worker1').spec.addr;
    const before = (await lab.status('worker1')) as { gossip: { stats?: { droppedTotal: number }; members: { name: string; state: string }[] } };
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const badKey = { key: Buffer.alloc(16, 7), lamport: 1 };
    const packet = sealPacket(badKey.key, [Buffer.from('not a member')]);
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => sock.send(packet, 7946, target, () => r()));
    sock.close();
    const after = await lab.waitFor(async () => {
      const s = (await lab.status('worker1')) as typeof before;
      return (s.gossip.stats?.droppedTotal ?? 0) >= (before.gossip.stats?.droppedTotal ?? 0) + 20 ? s : undefined;
    }, 5000, 'dropped packets to be counted');
    expect(after.gossip.members.map((m) => m.name)).not.toContain('not a member');
  }, 30_000);
});

describe('removed nodes', () => {
  it('cannot reconnect with their old certificate', async () => {
    const worker = lab.node('worker2');
    const stateDir = worker.spec.stateDir;
    const certPem = readFileSync(join(stateDir, 'certificates', 'swarm-node.crt'), 'utf8');
    const keyBlock = decodePemBlocks(readFileSync(join(stateDir, 'certificates', 'swarm-node.key'), 'utf8'))[0];
    const keyPem = encodePem(keyBlock.label, keyBlock.der);
    const rootPem = readFileSync(join(stateDir, 'certificates', 'swarm-root-ca.crt'), 'utf8');
    await lab.stop('worker2');
    await lab.client('manager1').nodeRemove('worker2', true);
    // Every manager learns the removal (the blacklist is in the replicated cluster object).
    const nic = attackerNic(3);
    try {
      const security = new SecurityConfig({ certPem, keyPem, roots: [rootPem] });
      for (const m of ['manager1', 'manager2', 'manager3']) {
        await lab.waitFor(async () => {
          try {
            const link = await dial({ nic, host: lab.node(m).spec.addr, port: 2377, security, connectTimeoutMs: 2000, handshakeTimeoutMs: 2000 });
            try {
              await link.request('dispatcher', 'register', { addr: nic.address }, { timeoutMs: 2000 });
              return false;
            } finally {
              link.close();
            }
          } catch (e) {
            return /removed from swarm|closed|Unavailable|refused/i.test(String(e));
          }
        }, 10_000, `${m} to refuse the removed node`);
      }
    } finally {
      await nic.close();
    }
    // The removed node's own process, restarted, does not come back into the node list.
    await lab.start('worker2');
    await new Promise((r) => setTimeout(r, 1500));
    const names = (await lab.client('manager1').nodeList()).map((n) => n.Description.Hostname);
    expect(names).not.toContain('worker2');
  }, 60_000);
});
