// The dispatcher marks a node Down when its heartbeats stop for three periods (not sooner), but
// time the leader itself spent too busy to read its sockets does not count against the node: a
// deadline first lets waiting heartbeats in, and one that fired late is extended.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Reservations } from '../src/manager/allocator/reservations.js';
import type { ManagerContext } from '../src/manager/context.js';
import { Dispatcher } from '../src/manager/dispatcher/dispatcher.js';
import type { NodeObject } from '../src/manager/objects.js';
import { PROFILES } from '../src/profile.js';
import type { Change, StoredObject } from '../src/store/memory.js';
import { directStore } from './helpers/direct-store.js';

function leader() {
  const { store, clock, apply } = directStore();
  apply([
    {
      action: 'create',
      table: 'cluster',
      object: {
        ID: 'c',
        Version: { Index: 0 },
        CreatedAt: '',
        UpdatedAt: '',
        Spec: { Dispatcher: {}, Orchestration: {} },
        TLSInfo: { TrustRoot: 'root', CertIssuerSubject: '', CertIssuerPublicKey: '' },
        DataPathPort: 4789,
        secrets: { rootCAKeyPem: 'key', gossipKeys: [], blacklist: [], lastKeyRotation: 0 },
      } as unknown as StoredObject,
    },
  ]);
  for (const id of ['m1', 'w1']) {
    apply([{ action: 'create', table: 'node', object: { ID: id, Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Spec: { Role: 'worker', Availability: 'active', Labels: {} }, Status: { State: 'unknown', Addr: '127.0.0.1' } } as unknown as StoredObject }]);
  }
  const raft = Object.assign(new EventEmitter(), { members: new Map(), proposeTransaction: async (tx: { changes: Change[] }) => apply(tx.changes) });
  const ctx = { store, raft, clock, profile: PROFILES.fast, nodeId: 'm1', log: () => undefined, reservations: new Reservations() } as unknown as ManagerContext;
  return { ctx, state: (id: string) => store.get<NodeObject>('node', id)!.Status.State };
}

/** Keeps this process's event loop busy, as a leader stalled by a burst of work is. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('dispatcher heartbeat expiry', () => {
  it('marks a silent node Down after three periods', async () => {
    const { ctx, state } = leader();
    const dispatcher = new Dispatcher(ctx);
    await dispatcher.start();
    try {
      const { periodMs } = dispatcher.register('w1', '127.0.0.1:2377', () => undefined);
      await sleep(10);
      expect(state('w1')).toBe('ready');
      const t0 = Date.now();
      while (state('w1') !== 'down' && Date.now() - t0 < 30_000) await sleep(20);
      expect(state('w1')).toBe('down');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(periodMs * 3 * 0.9);
    } finally {
      dispatcher.stop();
    }
  });

  it('does not count the time the leader itself was stalled against the node', async () => {
    const { ctx, state } = leader();
    const dispatcher = new Dispatcher(ctx);
    await dispatcher.start();
    try {
      const { sessionId, periodMs } = dispatcher.register('w1', '127.0.0.1:2377', () => undefined);
      await sleep(10);
      // The leader cannot run for twice the grace; the node's heartbeat is read only afterwards.
      stall(periodMs * 6);
      setImmediate(() => dispatcher.heartbeat('w1', sessionId));
      await sleep(50);
      expect(state('w1')).toBe('ready');
    } finally {
      dispatcher.stop();
    }
  });
});
