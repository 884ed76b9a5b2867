/**
 * The gossip key ring as Docker uses it (libnetwork agent.go getKeys/getPrimaryKeyTag): the
 * leader's key manager hands out 3 AES-128 keys tagged with Lamport times; a node sorts them by
 * Lamport time and swaps the first two, so the key it SENDS with is the second-oldest. Packets under
 * any of the keys are ACCEPTED, which lets a rotation roll through the cluster without a flag day.
 */
export interface GossipKey {
  key: Buffer;
  lamport: number;
}

export const GOSSIP_KEY_BYTES = 16;
export const MAX_GOSSIP_KEYS = 3;

export class GossipKeyError extends Error {
  override readonly name = 'GossipKeyError';
}

export class GossipKeyring {
  private ordered: Buffer[] = [];

  constructor(keys: GossipKey[]) {
    this.set(keys);
  }

  /** Replaces the ring. Invalid input throws GossipKeyError and keeps the old ring. */
  set(keys: GossipKey[]): void {
    if (!Array.isArray(keys) || keys.length === 0) throw new GossipKeyError('no primary key found for networking:gossip subsystem');
    if (keys.length > MAX_GOSSIP_KEYS) throw new GossipKeyError(`at most ${MAX_GOSSIP_KEYS} gossip keys are kept, got ${keys.length}`);
    for (const entry of keys) {
      if (!entry || !Buffer.isBuffer(entry.key) || entry.key.length !== GOSSIP_KEY_BYTES) {
        throw new GossipKeyError(`gossip keys must be ${GOSSIP_KEY_BYTES} bytes (AES-128-GCM)`);
      }
      if (!Number.isFinite(entry.lamport)) throw new GossipKeyError('gossip key lamport time must be a number');
    }
    const sorted = [...keys].sort((a, b) => a.lamport - b.lamport).map((entry) => Buffer.from(entry.key));
    if (sorted.length >= 2) [sorted[0], sorted[1]] = [sorted[1], sorted[0]];
    this.ordered = sorted;
  }

  /** The key packets are sent with. */
  get primary(): Buffer {
    return this.ordered[0];
  }

  /** Every key accepted on receive, primary first (the order decryption tries them in). */
  get all(): readonly Buffer[] {
    return this.ordered;
  }
}
