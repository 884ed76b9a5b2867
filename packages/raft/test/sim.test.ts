// The simulator itself: reproducible runs, its building blocks, the command line, and the first
// seeds that must pass (the next 2,000 are in sim-seeds.test.ts, on worker threads).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Raft } from '../src/raft.js';
import { SeededRandom } from '../src/rand.js';
import { applyEntry, decodeSnapshot, encodePayload, encodeSnapshot, initialAppState, payloadId } from '../sim/app-state.js';
import { EventQueue } from '../sim/event-queue.js';
import { parseSeedRange, runSeedRange, runSimulation } from '../sim/index.js';
import { SimNetwork } from '../sim/network.js';
import { drawPartition } from '../sim/partitions.js';
import { message, type Message } from '../src/types.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('simulation runs', () => {
  it('replays a seed exactly: same trace, digest and outcome', () => {
    for (const seed of [3, 17, 123]) {
      const a = runSimulation({ seed, keepTrace: true, traceLines: 200 });
      const b = runSimulation({ seed, keepTrace: true, traceLines: 200 });
      expect(b.digest).toBe(a.digest);
      expect(b.trace).toEqual(a.trace);
      expect(b.stats).toEqual(a.stats);
      expect(b.endTick).toBe(a.endTick);
    }
  });

  it('different seeds take different paths', () => {
    const digests = new Set([1, 2, 3, 4, 5].map((seed) => runSimulation({ seed }).digest));
    expect(digests.size).toBe(5);
  });

  it('does real work: elections, commits, acknowledged writes, served reads and recovery', () => {
    let acked = 0;
    let readsServed = 0;
    let crashes = 0;
    let snapshots = 0;
    let membership = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSimulation({ seed });
      expect(r.ok, r.violation).toBe(true);
      expect(r.stats.elections).toBeGreaterThan(0);
      expect(r.livenessTicks).toBeDefined();
      acked += r.stats.acked;
      readsServed += r.stats.readsServed;
      crashes += r.stats.crashes;
      snapshots += r.stats.snapshotsInstalled;
      membership += r.stats.membershipChanges;
    }
    expect(acked).toBeGreaterThan(1000);
    expect(readsServed).toBeGreaterThan(50);
    expect(crashes).toBeGreaterThan(10);
    expect(snapshots).toBeGreaterThan(10);
    expect(membership).toBeGreaterThan(10);
  });

  it('reports the trace of a failing run, ending with the violation', () => {
    class ExplodingRaft extends Raft {
      override tick(): void {
        throw new Error('boom');
      }
    }
    const r = runSimulation({ seed: 1, core: (config) => new ExplodingRaft(config), traceLines: 10 });
    expect(r.ok).toBe(false);
    // Replayed with stack traces so the report says where the core threw.
    expect(r.violation).toMatch(/^core error: Error: boom\n\s+at ExplodingRaft.tick/);
    expect(r.trace.at(-1)).toMatch(/violation/);
  });
});

describe('seed ranges', () => {
  it('parses A..B and single seeds', () => {
    expect(parseSeedRange('1..100000')).toEqual({ from: 1, to: 100000 });
    expect(parseSeedRange('7')).toEqual({ from: 7, to: 7 });
    expect(parseSeedRange(' 5 .. 6 ')).toEqual({ from: 5, to: 6 });
  });

  it('refuses malformed ranges with a clear error', () => {
    expect(() => parseSeedRange('10..1')).toThrow(/before/);
    expect(() => parseSeedRange('a..b')).toThrow(/expected A\.\.B/);
    expect(() => parseSeedRange('-1..3')).toThrow(/expected A\.\.B/);
    expect(() => parseSeedRange('1..99999999999')).toThrow(/4294967295/);
  });
});

describe('event queue', () => {
  it('pops by time, and in insertion order at equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(3, 'b');
    q.push(5, 'e');
    const out: string[] = [];
    for (let ev = q.pop(); ev; ev = q.pop()) out.push(ev.value);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('stays ordered under many random pushes', () => {
    const r = new SeededRandom(9);
    const q = new EventQueue<number>();
    for (let i = 0; i < 1000; i++) q.push(r.intn(50), i);
    let last = { time: -1, seq: -1 };
    for (let ev = q.pop(); ev; ev = q.pop()) {
      expect(ev.time > last.time || (ev.time === last.time && ev.seq > last.seq)).toBe(true);
      last = ev;
    }
  });
});

describe('partitions', () => {
  const nodes = [1, 2, 3, 4, 5];
  const cutSet = (cut: Array<[number, number]>) => new Set(cut.map(([a, b]) => `${a}>${b}`));

  function drawKind(kind: string) {
    for (let seed = 0; seed < 200; seed++) {
      const p = drawPartition(new SeededRandom(seed), nodes, 1);
      if (p?.kind === kind) return p;
    }
    throw new Error(`no ${kind} partition drawn`);
  }

  it('isolate cuts one node off both ways', () => {
    const p = drawKind('isolate');
    const lone = Number(/isolate (\d+)/.exec(p.description)![1]);
    expect(p.cut).toHaveLength(2 * (nodes.length - 1));
    for (const [a, b] of p.cut) expect(a === lone || b === lone).toBe(true);
  });

  it('majorities-ring lets every node see a majority, no two the same one', () => {
    const p = drawKind('majorities-ring');
    const cut = cutSet(p.cut);
    const views = nodes.map((n) => nodes.filter((o) => o === n || !cut.has(`${n}>${o}`)).join(','));
    for (const v of views) expect(v.split(',').length).toBeGreaterThanOrEqual(3);
    expect(new Set(views).size).toBe(nodes.length);
  });

  it('bridge keeps one node connected to both sides', () => {
    const p = drawKind('bridge');
    const bridge = Number(/bridge (\d+)/.exec(p.description)![1]);
    for (const [a, b] of p.cut) expect(a !== bridge && b !== bridge).toBe(true);
    expect(p.cut.length).toBeGreaterThan(0);
  });

  it('one-way cuts links in one direction only', () => {
    const p = drawKind('one-way');
    const cut = cutSet(p.cut);
    for (const [a, b] of p.cut) expect(cut.has(`${b}>${a}`)).toBe(false);
  });

  it('needs two nodes to partition anything', () => {
    expect(drawPartition(new SeededRandom(1), [1])).toBeUndefined();
  });
});

describe('network', () => {
  const params = { minDelay: 1, maxDelay: 300, dropRate: 0, duplicateRate: 1, reorderRate: 1, reorderDelay: 300 };
  const msg = (type: Message['type'], from = 1, to = 2, offset = 0): Message =>
    message({ type, from, to, chunk: type === 'MsgSnap' ? { offset, total: 100 } : undefined });

  function record() {
    const delivered: Array<{ at: number; m: Message }> = [];
    const dropped: Array<{ m: Message; reason: string; onSend: boolean }> = [];
    return {
      delivered,
      dropped,
      sink: { deliverAt: (at: number, m: Message) => delivered.push({ at, m }), dropped: (m: Message, reason: string, onSend: boolean) => dropped.push({ m, reason, onSend }) },
    };
  }

  it('keeps snapshot chunks of a link in order and never duplicates them', () => {
    const r = record();
    const net = new SimNetwork(params, 3, new SeededRandom(4), r.sink);
    for (let i = 0; i < 20; i++) net.send(0, msg('MsgSnap', 1, 2, i * 5));
    const times = r.delivered.map((d) => d.at);
    expect(times).toHaveLength(20);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
  });

  it('duplicates and reorders other messages when told to', () => {
    const r = record();
    const net = new SimNetwork(params, 3, new SeededRandom(4), r.sink);
    for (let i = 0; i < 20; i++) net.send(0, msg('MsgApp'));
    expect(r.delivered).toHaveLength(40);
    expect(net.duplicated).toBe(20);
  });

  it('drops what a partition cuts, one way only, until healed; stopLosses ends loss and duplication', () => {
    const r = record();
    const net = new SimNetwork({ ...params, dropRate: 1 }, 3, new SeededRandom(4), r.sink);
    net.partition([[1, 2]]);
    expect(net.isCut(1, 2)).toBe(true);
    expect(net.isCut(2, 1)).toBe(false);
    net.send(0, msg('MsgApp', 1, 2));
    expect(r.dropped.at(-1)).toMatchObject({ reason: 'partition', onSend: true });
    net.send(0, msg('MsgApp', 2, 1));
    expect(r.dropped.at(-1)).toMatchObject({ reason: 'lost' });
    net.heal();
    net.stopLosses();
    net.send(0, msg('MsgApp', 1, 2));
    expect(r.delivered).toHaveLength(1);
  });
});

describe('application state', () => {
  it('round-trips snapshots of any padding and spots corruption', () => {
    const s = initialAppState();
    applyEntry(s, { index: 1, term: 1, type: 'normal', data: encodePayload(42, 3) });
    applyEntry(s, { index: 2, term: 2, type: 'normal', data: new Uint8Array() });
    for (const padding of [0, 7, 600]) {
      const data = encodeSnapshot(s, padding);
      expect(decodeSnapshot(data)).toEqual(s);
      const bad = data.slice();
      bad[bad.length - 1] ^= 1;
      if (padding > 0) expect(() => decodeSnapshot(bad)).toThrow(/corrupt/);
      expect(() => decodeSnapshot(data.subarray(0, data.length - 1))).toThrow();
    }
    expect(s.writes).toBe(1);
  });

  it('payloads carry their write id', () => {
    expect(payloadId(encodePayload(0xdeadbeef, 10))).toBe(0xdeadbeef);
    expect(payloadId(new Uint8Array())).toBe(0);
  });
});

describe('command line', () => {
  const sim = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });

  it('runs a range and ends with the count line', { timeout: 60_000 }, () => {
    const out = sim('--seeds', '1..6', '--workers', '2');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout.trim().split('\n').at(-1)).toBe('6 seeds, 0 violations');
  });

  it('replays one seed with a summary', { timeout: 60_000 }, () => {
    const out = sim('--seed', '5');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^seed 5 \(/);
    expect(out.stdout).toMatch(/OK: no violations/);
  });

  it('fails on violations and prints the failing seed and its trace', { timeout: 60_000 }, () => {
    const range = sim('--seeds', '1..2', '--core', 'vote-without-log-check');
    expect(range.status).toBe(1);
    expect(range.stdout).toMatch(/^seed 1: /m);
    expect(range.stdout.trim().split('\n').at(-1)).toMatch(/^2 seeds, [12] violations$/);
    const one = sim('--seed', '1', '--core', 'vote-without-log-check', '--trace', '20');
    expect(one.status).toBe(1);
    expect(one.stdout).toMatch(/last 20 events/);
    expect(one.stdout).toMatch(/VIOLATION \(seed 1\)/);
  });

  it('explains bad arguments and exits 2', { timeout: 60_000 }, () => {
    for (const args of [[], ['--seeds', '9..1'], ['--seed', '1', '--seeds', '1..2'], ['--seeds', '1..2', '--workers', '0'], ['--bogus']]) {
      const out = sim(...args);
      expect(out.status).toBe(2);
      expect(out.stderr).toMatch(/^sim: .+\n\nusage:/);
    }
  });
});

describe('seeds 1..200 pass every check (more in sim-seeds.test.ts)', () => {
  for (let from = 1; from <= 200; from += 50) {
    it(`seeds ${from}..${from + 49}`, { timeout: 60_000 }, () => {
      const report = runSeedRange(from, from + 49);
      expect(report.failures.map((f) => `seed ${f.seed}: ${f.violation}`)).toEqual([]);
      expect(report.count).toBe(50);
    });
  }
});
