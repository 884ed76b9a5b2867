// Randomized checks of the search against the definition. Small random histories (half of them
// not linearizable) are judged by a brute-force enumeration of every order, and the checker must
// agree on every one — this is what keeps the search's pruning rules honest. Larger simulated
// histories of a correct register must pass; the same with one read corrupted must fail.

import { describe, expect, it } from 'vitest';
import { prepareRegisterHistory } from '../src/linearizability/prepare.js';
import { searchKey } from '../src/linearizability/search.js';
import { checkLinearizability, mulberry32, simulateRegisterHistory, type LinearizabilityEvidence } from '../src/index.js';
import type { HistoryOp } from '../src/types.js';
import { bruteForceLinearizable } from './helpers/brute-force.js';

/** A random history of `ops` operations by `processes` clients with random, often wrong, results. */
function randomHistory(seed: number, ops: number, processes: number, values: number): HistoryOp[] {
  const rng = mulberry32(seed);
  const lines: HistoryOp[] = [];
  const open = new Map<number, { f: string; value: unknown }>();
  let started = 0;
  let time = 0;
  // Results lean towards the last value written, so that about half the histories are linearizable.
  let last: number | null = null;
  const plausible = () => (rng.next() < 0.6 ? last : rng.int(values + 1) === values ? null : rng.int(values));
  while (started < ops || open.size > 0) {
    const p = rng.int(processes);
    const pending = open.get(p);
    time += 1;
    if (pending) {
      const roll = rng.next();
      const type = roll < 0.6 ? 'ok' : roll < 0.75 ? 'fail' : 'info';
      const value = pending.f === 'read' && type === 'ok' ? ['x', plausible()] : pending.value;
      lines.push({ process: p, type, f: pending.f, value, time });
      open.delete(p);
    } else if (started < ops) {
      const roll = rng.next();
      const f = roll < 0.4 ? 'read' : roll < 0.7 ? 'write' : 'cas';
      const to = rng.int(values);
      const value = f === 'read' ? ['x', null] : f === 'write' ? ['x', to] : ['x', [plausible(), to]];
      if (f !== 'read') last = to;
      lines.push({ process: p, type: 'invoke', f, value, time });
      open.set(p, { f, value });
      started++;
    }
  }
  return lines;
}

const budget = { maxSteps: 1e7, deadline: Infinity, maxCacheEntries: 1e7, maxCacheBytes: 1e9 };

describe('agrees with brute force on small random histories', () => {
  it('2,000 histories of 7 operations by 3 clients over 3 values', () => {
    let invalid = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const h = randomHistory(seed, 7, 3, 3);
      const expected = bruteForceLinearizable(h);
      const r = checkLinearizability(h);
      expect({ seed, verdict: r.verdict }).toEqual({ seed, verdict: expected ? 'valid' : 'invalid' });
      if (!expected) invalid++;
    }
    // Both verdicts are well represented, so agreement means something.
    expect(invalid).toBeGreaterThan(500);
    expect(invalid).toBeLessThan(1500);
  });

  it('1,000 histories of 8 operations by 5 clients over 2 values (more concurrency, more info)', () => {
    let invalid = 0;
    for (let seed = 10_001; seed <= 11_000; seed++) {
      const h = randomHistory(seed, 8, 5, 2);
      const expected = bruteForceLinearizable(h);
      expect({ seed, verdict: checkLinearizability(h).verdict }).toEqual({ seed, verdict: expected ? 'valid' : 'invalid' });
      if (!expected) invalid++;
    }
    expect(invalid).toBeGreaterThan(200);
    expect(invalid).toBeLessThan(800);
  });

  it('the relaxed search (reusable indeterminate ops) never calls a linearizable history invalid', () => {
    for (let seed = 20_001; seed <= 21_500; seed++) {
      const h = randomHistory(seed, 8, 4, 2);
      const key = prepareRegisterHistory(h).keys[0];
      if (!key) continue;
      const relaxed = searchKey(key.ops, budget, { reusableIndeterminate: true });
      if (relaxed.verdict === 'invalid') expect({ seed, linearizable: bruteForceLinearizable(h) }).toEqual({ seed, linearizable: false });
    }
  });
});

describe('simulated registers', () => {
  it('a correct register with concurrent clients and random indeterminate operations is linearizable', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const h = simulateRegisterHistory({ seed, operations: 1500, concurrency: 2 + (seed % 10), keys: 1 + (seed % 3), infoRate: [0.02, 0.1, 0.3][seed % 3] });
      const r = checkLinearizability(h);
      expect({ seed, verdict: r.verdict, summary: r.summary }).toMatchObject({ seed, verdict: 'valid' });
    }
  });

  it('the same histories with one read corrupted to a value never written are not', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const h = simulateRegisterHistory({ seed, operations: 1500, concurrency: 4 + seed, keys: 2, infoRate: 0.1 });
      const reads = h.flatMap((l, i) => (l.type === 'ok' && l.f === 'read' ? [i] : []));
      const victim = reads[Math.floor(reads.length * 0.6)];
      const key = (h[victim].value as [string, unknown])[0];
      const bad = h.map((l, i) => (i === victim ? { ...l, value: [key, 1234] } : l));
      const r = checkLinearizability(bad);
      expect({ seed, verdict: r.verdict }).toEqual({ seed, verdict: 'invalid' });
      const ev = r.evidence as LinearizabilityEvidence;
      expect(ev.key).toBe(key);
      // The corrupted read is the one no order explains, or it runs alongside the one reported.
      const shown = [ev.failing, ...ev.concurrent].some((o) => o.f === 'read' && o.output === 1234);
      expect({ seed, shown }).toEqual({ seed, shown: true });
    }
  });
});
