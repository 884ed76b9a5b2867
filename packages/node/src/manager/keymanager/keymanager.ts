// The key manager on the leader (SwarmKit manager/keymanager): three 16-byte AES-128-GCM gossip
// keys tagged with a Lamport time; every 12 h of emulated time the oldest is replaced.

import { randomBytes, randomInt } from 'node:crypto';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import type { GossipKey } from '../objects.js';

export const KEYRING_SIZE = 3;

export function newKeyRing(): GossipKey[] {
  const start = randomInt(0, 65536);
  return Array.from({ length: KEYRING_SIZE }, (_, i) => ({ key: randomBytes(16).toString('base64'), lamport: start + i }));
}

/** Drops the oldest key and adds a new one with the next Lamport time. */
export function rotateKeyRing(keys: GossipKey[]): GossipKey[] {
  const sorted = [...keys].sort((a, b) => a.lamport - b.lamport);
  const next = (sorted[sorted.length - 1]?.lamport ?? randomInt(0, 65536)) + 1;
  return [...sorted.slice(sorted.length >= KEYRING_SIZE ? 1 : 0), { key: randomBytes(16).toString('base64'), lamport: next }];
}

export class KeyManager {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ManagerContext) {}

  start(): void {
    const period = this.ctx.profile.keyRotationMs;
    // Check often enough that a rotation is at most 1/24 of a period late.
    this.timer = this.ctx.clock.setInterval(() => void this.maybeRotate(), period / 24);
    void this.maybeRotate();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async maybeRotate(): Promise<void> {
    // Right after init the cluster object is not written yet; the next check will see it.
    if (this.ctx.store.list('cluster').length === 0) return;
    const cluster = clusterOf(this.ctx);
    const now = this.ctx.clock.now();
    const due = now - cluster.secrets.lastKeyRotation >= this.ctx.profile.keyRotationMs;
    if (!due && cluster.secrets.gossipKeys.length >= KEYRING_SIZE) return;
    const keys = cluster.secrets.gossipKeys.length === 0 ? newKeyRing() : rotateKeyRing(cluster.secrets.gossipKeys);
    try {
      await commit(this.ctx, [
        { action: 'patch', table: 'cluster', id: cluster.ID, set: { 'secrets.gossipKeys': keys, 'secrets.lastKeyRotation': now } },
      ]);
      this.ctx.log('info', 'keymanager: rotated gossip key', { lamport: keys.at(-1)?.lamport });
    } catch (e) {
      this.ctx.log('warn', 'keymanager: rotation failed, will retry', { err: String(e) });
    }
  }
}
