import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Nic } from '../src/nic.js';
import { Gossip, GossipError, type GossipUserEvent } from '../src/gossip/gossip.js';
import type { GossipKey } from '../src/gossip/keyring.js';
import type { GossipTiming } from '../src/gossip/timing.js';
import type { Member } from '../src/gossip/membership.js';
import { seededRandom, waitFor } from './helpers.js';

/** memberlist's LAN ratios, 20× faster. */
const FAST: Partial<GossipTiming> = {
  probeIntervalMs: 50,
  probeTimeoutMs: 25,
  gossipIntervalMs: 10,
  pushPullIntervalMs: 250,
  gossipToTheDeadMs: 1500,
  suspicionTimeoutMs: 300,
};

const keyring = (...lamports: number[]): GossipKey[] => lamports.map((lamport) => ({ key: KEYS[lamport], lamport }));
const KEYS: Record<number, Buffer> = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [n, randomBytes(16)]));

interface Node {
  nic: Nic;
  gossip: Gossip;
  events: { type: string; member: string; incarnation: number; previous?: string }[];
  messages: GossipUserEvent[];
}

const nodes: Node[] = [];
afterEach(async () => {
  for (const node of nodes.splice(0)) {
    await node.gossip.close();
    await node.nic.close();
  }
});

async function startNode(index: number, options: { keys?: GossipKey[]; timing?: Partial<GossipTiming>; meta?: unknown } = {}): Promise<Node> {
  const nic = new Nic({ address: `127.0.30.${index}` });
  const gossip = await Gossip.start({
    nic,
    name: `node-${index}`,
    port: 0,
    keys: options.keys ?? keyring(1, 2, 3),
    timing: { ...FAST, ...options.timing },
    meta: options.meta,
    random: seededRandom(index),
  });
  const node: Node = { nic, gossip, events: [], messages: [] };
  for (const type of ['member-up', 'member-suspect', 'member-dead', 'member-update'] as const) {
    gossip.on(type, (member: Member) => node.events.push({ type, member: member.name, incarnation: member.incarnation }));
  }
  gossip.on('message', (message) => node.messages.push(message));
  nodes.push(node);
  return node;
}

async function startCluster(count: number, options: Parameters<typeof startNode>[1] = {}): Promise<Node[]> {
  const cluster: Node[] = [];
  for (let i = 1; i <= count; i++) cluster.push(await startNode(i, options));
  const seed = { address: cluster[0].gossip.address, port: cluster[0].gossip.port };
  await Promise.all(cluster.slice(1).map((node) => node.gossip.join([seed])));
  await waitFor(() => converged(cluster), 'membership to converge');
  return cluster;
}

function stateOf(node: Node, name: string): string | undefined {
  return node.gossip.member(name)?.state;
}

function converged(cluster: Node[]): boolean {
  return cluster.every((node) => cluster.every((other) => stateOf(node, other.gossip.name) === 'alive'));
}

describe('gossip membership', () => {
  it('4 members joined through one seed converge to the same alive view', async () => {
    const cluster = await startCluster(4);
    for (const node of cluster) {
      expect(node.gossip.members().map((m) => m.name).sort()).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
      const ups = new Set(node.events.filter((e) => e.type === 'member-up').map((e) => e.member));
      expect([...ups].sort()).toEqual(cluster.map((n) => n.gossip.name).filter((name) => name !== node.gossip.name).sort());
    }
  });

  it('broadcasts reach every other member exactly once', async () => {
    const cluster = await startCluster(5);
    cluster[2].gossip.broadcast('endpoints', { service: 'web', ip: '10.0.0.5' });
    cluster[4].gossip.broadcast('node-state', { availability: 'drain' });
    await waitFor(() => cluster.every((node, i) => node.messages.length === (i === 2 || i === 4 ? 1 : 2)), 'messages everywhere');
    expect(cluster[0].messages).toContainEqual({ topic: 'endpoints', body: { service: 'web', ip: '10.0.0.5' }, from: 'node-3' });
    expect(cluster[2].messages).toEqual([{ topic: 'node-state', body: { availability: 'drain' }, from: 'node-5' }]);
    expect(() => cluster[0].gossip.broadcast('big', Buffer.alloc(2000))).toThrowError(GossipError);
  });

  it('a member whose packets are blocked becomes suspect, then dead', async () => {
    const cluster = await startCluster(4);
    const [a, b, c, victim] = cluster;
    victim.nic.setRules({ all: { block: 'both' } });
    for (const node of [a, b, c]) {
      await waitFor(() => stateOf(node, 'node-4') === 'dead', `${node.gossip.name} to declare node-4 dead`);
      const seen = node.events.filter((e) => e.member === 'node-4').map((e) => e.type);
      expect(seen.indexOf('member-suspect')).toBeGreaterThanOrEqual(0);
      expect(seen.lastIndexOf('member-dead')).toBeGreaterThan(seen.indexOf('member-suspect'));
    }
    expect(victim.nic.stats()[a.gossip.address].dropsOut).toBeGreaterThan(0);
  });

  it('a suspected member refutes with a higher incarnation and is never declared dead', async () => {
    const cluster = await startCluster(3, { timing: { suspicionTimeoutMs: 30_000 } });
    const [a, , victim] = cluster;
    victim.nic.setRules({ all: { block: 'both' } });
    await waitFor(() => stateOf(a, 'node-3') === 'suspect', 'node-3 suspected');
    victim.nic.clear();
    await waitFor(() => stateOf(a, 'node-3') === 'alive', 'node-3 refutes');
    expect(a.gossip.member('node-3')?.incarnation).toBeGreaterThan(0);
    expect(victim.gossip.member('node-3')?.incarnation).toBeGreaterThan(0);
    expect(a.events.filter((e) => e.member === 'node-3' && e.type === 'member-dead')).toEqual([]);
  });

  it('after a partition heals, members declared dead merge back', async () => {
    const cluster = await startCluster(3);
    const [a, b, isolated] = cluster;
    isolated.nic.setRules({ all: { block: 'both' } });
    await waitFor(() => stateOf(a, 'node-3') === 'dead' && stateOf(isolated, 'node-1') === 'dead', 'both sides to give up');
    isolated.nic.clear();
    await waitFor(() => converged(cluster), 'the cluster to merge again', 10_000);
    expect(a.events.filter((e) => e.member === 'node-3').map((e) => e.type)).toContain('member-up');
    expect(b.gossip.member('node-3')?.incarnation).toBeGreaterThan(0);
  });

  it('carries metadata changes and graceful leaves', async () => {
    const cluster = await startCluster(3, { meta: { state: 'ready' } });
    const [a, b, leaver] = cluster;
    b.gossip.setMeta({ state: 'drain' });
    await waitFor(() => (a.gossip.member('node-2')?.meta as { state?: string })?.state === 'drain', 'meta update');
    expect(a.events).toContainEqual(expect.objectContaining({ type: 'member-update', member: 'node-2' }));
    await leaver.gossip.leave();
    await waitFor(() => stateOf(a, 'node-3') === 'left', 'leave to be recorded');
  });
});

describe('gossip encryption keys', () => {
  it('keeps working through a rotation: the old primary is still accepted', async () => {
    const cluster = await startCluster(3, { keys: keyring(1, 2, 3) });
    const [a, b, c] = cluster;
    // a rotates first: its primary becomes key 3, while b and c still send with key 2.
    a.gossip.setKeys(keyring(2, 3, 4));
    const before = a.gossip.stats().packetsIn;
    b.gossip.broadcast('probe', 'from b under the old primary');
    a.gossip.broadcast('probe', 'from a under the new primary');
    await waitFor(() => a.messages.length === 1 && b.messages.length === 1 && c.messages.length === 2, 'messages across the rotation');
    expect(a.gossip.stats().packetsIn).toBeGreaterThan(before);
    for (const node of cluster) expect(node.gossip.stats().droppedTotal).toBe(0);

    // The rest follow; then a rotates again and drops key 2, the one b and c sent with. a waits until it
    // has heard b and c under their new primary: a datagram they sent under key 2 before (gossip
    // runs in the background) would otherwise still be on its way and be dropped, as memberlist
    // drops one under a removed key.
    b.gossip.setKeys(keyring(2, 3, 4));
    c.gossip.setKeys(keyring(2, 3, 4));
    b.gossip.broadcast('probe', 'from b under its new primary');
    c.gossip.broadcast('probe', 'from c under its new primary');
    await waitFor(() => a.messages.length === 3 && b.messages.length === 2 && c.messages.length === 3, 'messages under the new primaries');
    a.gossip.setKeys(keyring(3, 4, 5));
    a.gossip.broadcast('probe', 'after the second rotation');
    await waitFor(() => b.messages.length === 3 && c.messages.length === 4, 'messages after the second rotation');
    expect(converged(cluster)).toBe(true);
    for (const node of cluster) expect(node.gossip.stats().droppedTotal).toBe(0);
  });

  it('drops and counts packets under an unknown key; such a member cannot join', async () => {
    const cluster = await startCluster(2, { keys: keyring(1, 2, 3) });
    const outsider = await startNode(9, { keys: keyring(4, 5) });
    const seed = { address: cluster[0].gossip.address, port: cluster[0].gossip.port };
    await expect(outsider.gossip.join([seed], 300)).rejects.toThrowError(/could not join the gossip cluster/);
    expect(cluster[0].gossip.stats().dropped['auth-failed']).toBeGreaterThan(0);
    expect(cluster[0].gossip.member('node-9')).toBeUndefined();
  });

  it('counts garbage datagrams by reason without disturbing membership', async () => {
    const cluster = await startCluster(2);
    const raw = await cluster[1].nic.bindUdp(0);
    const target = cluster[0].gossip;
    raw.send(Buffer.alloc(5), target.port, target.address);
    raw.send(Buffer.concat([Buffer.of(9), randomBytes(40)]), target.port, target.address);
    raw.send(Buffer.concat([Buffer.of(1), randomBytes(40)]), target.port, target.address);
    await waitFor(() => target.stats().droppedTotal === 3, 'drops');
    expect(target.stats().dropped).toMatchObject({ 'too-short': 1, 'bad-version': 1, 'auth-failed': 1 });
    expect(converged(cluster)).toBe(true);
  });
});
