import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes, createDecipheriv } from 'node:crypto';
import { GossipKeyring, GossipKeyError } from '../src/gossip/keyring.js';
import { decryptPacket, encryptPacket, ENCRYPTION_OVERHEAD } from '../src/gossip/crypto.js';
import { encodeMessage, MAX_PACKET_BYTES, openPacket, sealPacket } from '../src/gossip/packet.js';
import type { GossipMessage, SyncEntry } from '../src/gossip/messages.js';
import { encodeSyncMessages } from '../src/gossip/sync.js';
import { createPackr } from '../src/codec.js';

const key = (fill: number) => Buffer.alloc(16, fill);

describe('gossip key ring', () => {
  it('sends with the second-oldest key: sorted by Lamport time, first two swapped', () => {
    const ring = new GossipKeyring([
      { key: key(3), lamport: 30 },
      { key: key(1), lamport: 10 },
      { key: key(2), lamport: 20 },
    ]);
    expect(ring.primary).toEqual(key(2));
    expect(ring.all).toEqual([key(2), key(1), key(3)]);
  });

  it('uses a lone key as primary and refuses bad rings without changing the current one', () => {
    const ring = new GossipKeyring([{ key: key(7), lamport: 1 }]);
    expect(ring.primary).toEqual(key(7));
    expect(() => ring.set([])).toThrowError('no primary key found for networking:gossip subsystem');
    expect(() => ring.set([{ key: Buffer.alloc(32), lamport: 1 }])).toThrowError(GossipKeyError);
    expect(() => ring.set([1, 2, 3, 4].map((l) => ({ key: key(l), lamport: l })))).toThrowError(/at most 3/);
    expect(ring.primary).toEqual(key(7));
  });
});

describe('gossip packet encryption (memberlist version 1)', () => {
  it('lays a packet out as [0x01][12-byte nonce][ciphertext][16-byte tag] with empty AAD', () => {
    const k = randomBytes(16);
    const plaintext = Buffer.from('hello gossip');
    const packet = encryptPacket(k, plaintext);
    expect(packet[0]).toBe(1);
    expect(packet.length).toBe(plaintext.length + ENCRYPTION_OVERHEAD);
    // Decrypt by hand with the layout above: it must open with no AAD at all.
    const decipher = createDecipheriv('aes-128-gcm', k, packet.subarray(1, 13));
    decipher.setAuthTag(packet.subarray(packet.length - 16));
    expect(Buffer.concat([decipher.update(packet.subarray(13, packet.length - 16)), decipher.final()])).toEqual(plaintext);
  });

  it('gives every packet a nonce of its own, across refills of the nonce pool', () => {
    const k = randomBytes(16);
    const nonces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const packet = encryptPacket(k, Buffer.from(`packet ${i}`));
      nonces.add(packet.subarray(1, 13).toString('hex'));
      expect(decryptPacket([k], packet)).toEqual(Buffer.from(`packet ${i}`));
    }
    expect(nonces.size).toBe(1000);
  });

  it('accepts any key in the ring and names why a packet was refused', () => {
    const [a, b, c] = [randomBytes(16), randomBytes(16), randomBytes(16)];
    const packet = encryptPacket(b, Buffer.from('x'));
    expect(decryptPacket([a, b], packet)).toEqual(Buffer.from('x'));
    expect(decryptPacket([a, c], packet)).toBe('auth-failed');
    expect(decryptPacket([a], Buffer.alloc(10))).toBe('too-short');
    const wrongVersion = Buffer.from(packet);
    wrongVersion[0] = 0;
    expect(decryptPacket([b], wrongVersion)).toBe('bad-version');
    const tampered = Buffer.from(packet);
    tampered[14] ^= 1;
    expect(decryptPacket([b], tampered)).toBe('auth-failed');
  });

  it('round-trips a compound of messages', () => {
    const k = randomBytes(16);
    const messages: GossipMessage[] = [
      { type: 'ping', seq: 7, target: 'node-b' },
      { type: 'alive', name: 'node-a', address: '127.0.1.1', port: 7946, incarnation: 3, meta: { role: 'manager' } },
      { type: 'user', origin: 'node-a', seq: 1, topic: 'endpoints', body: { service: 'web', ip: '10.0.0.5' } },
      { type: 'sync', reply: true, entries: [{ name: 'node-c', address: '127.0.1.3', port: 7946, incarnation: 1, state: 'suspect', meta: null }] },
    ];
    expect(openPacket([k], sealPacket(k, messages.map(encodeMessage)))).toEqual(messages);
  });

  it('splits a large member table over sync packets that each fit the UDP buffer', () => {
    const k = randomBytes(16);
    const entries: SyncEntry[] = Array.from({ length: 200 }, (_, i) => ({
      name: `node-${i.toString().padStart(25, '0')}`,
      address: `127.0.${i >> 8}.${i & 255}`,
      port: 7946,
      incarnation: i,
      state: i % 7 === 0 ? 'dead' : 'alive',
      meta: { role: i % 3 === 0 ? 'manager' : 'worker' },
    }));
    const packets = encodeSyncMessages(entries, true, createPackr()).map((message) => sealPacket(k, [message]));
    expect(packets.length).toBeGreaterThan(1);
    const received: SyncEntry[] = [];
    for (const packet of packets) {
      expect(packet.length).toBeLessThanOrEqual(MAX_PACKET_BYTES);
      const messages = openPacket([k], packet);
      if (typeof messages === 'string') throw new Error(`packet refused: ${messages}`);
      for (const message of messages) if (message.type === 'sync') received.push(...message.entries);
    }
    expect(received).toEqual(entries);
  });

  it('refuses packets over the UDP buffer size', () => {
    expect(openPacket([randomBytes(16)], Buffer.alloc(MAX_PACKET_BYTES + 1, 1))).toBe('oversized');
  });

  it('fuzz: random datagrams never throw and are refused with a reason', () => {
    const keys = [randomBytes(16), randomBytes(16)];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
        const result = openPacket(keys, Buffer.from(bytes));
        expect(typeof result === 'string' || Array.isArray(result)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: random plaintext under a valid key is decoded or refused as undecodable, never thrown', () => {
    const k = randomBytes(16);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1300 }), (bytes) => {
        const result = openPacket([k], encryptPacket(k, Buffer.from(bytes)));
        if (typeof result === 'string') expect(result).toBe('undecodable');
        else expect(Array.isArray(result)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: mutated valid plaintexts are decoded into well-formed messages or refused', () => {
    const k = randomBytes(16);
    const valid = Buffer.concat([
      Buffer.of(0x93),
      encodeMessage({ type: 'ping', seq: 1, target: 'n1' }),
      encodeMessage({ type: 'suspect', name: 'n2', incarnation: 4, from: 'n1' }),
      encodeMessage({ type: 'sync', reply: false, entries: [{ name: 'n3', address: '127.0.0.3', port: 1, incarnation: 0, state: 'alive', meta: [1] }] }),
    ]);
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }), (mutations) => {
        const plaintext = Buffer.from(valid);
        for (const { at, byte } of mutations) plaintext[at % plaintext.length] = byte;
        const result = openPacket([k], encryptPacket(k, plaintext));
        if (typeof result === 'string') expect(result).toBe('undecodable');
        else for (const message of result) expect(['ping', 'ack', 'ping-req', 'alive', 'suspect', 'dead', 'user', 'sync']).toContain(message.type);
      }),
      { numRuns: 1000 },
    );
  });
});
