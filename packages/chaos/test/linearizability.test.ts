// The linearizability checker on hand-written histories: ones that are linearizable (sequential,
// concurrent, with indeterminate and failed operations) pass; planted anomalies fail with
// evidence that names the operation no order explains; a huge history answers unknown in budget.

import { describe, expect, it } from 'vitest';
import { checkLinearizability, simulateRegisterHistory, type LinearizabilityEvidence } from '../src/index.js';
import { HistoryBuilder } from './helpers/history-builder.js';

const evidenceOf = (r: ReturnType<typeof checkLinearizability>) => r.evidence as LinearizabilityEvidence;

describe('linearizable histories pass', () => {
  it('an empty history, and one with only reads of the initial value', () => {
    expect(checkLinearizability([]).verdict).toBe('valid');
    expect(checkLinearizability(new HistoryBuilder().read(0, null).read(1, null).lines).verdict).toBe('valid');
  });

  it('a sequential history of writes, reads and CASes', () => {
    const h = new HistoryBuilder().write(0, 1).read(1, 1).cas(0, 1, 2).read(1, 2).write(1, 3).cas(0, 3, 4).read(0, 4);
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ ops: 7, keys: 1 });
  });

  it('concurrent operations that some order explains', () => {
    // Two writes overlap; reads during and after see either, as long as one order fits all.
    const h = new HistoryBuilder()
      .invokeWrite(0, 1)
      .invokeWrite(1, 2)
      .invokeRead(2)
      .readOk(2, 2)
      .writeDone(0, 'ok', 1)
      .writeDone(1, 'ok', 2)
      .read(2, 1);
    // write 2, read 2, write 1, read 1.
    expect(checkLinearizability(h.lines).verdict).toBe('valid');
  });

  it('a read concurrent with a write may see the old or the new value', () => {
    const h = new HistoryBuilder().write(0, 1).invokeWrite(0, 2).invokeRead(1).readOk(1, 1).invokeRead(2).readOk(2, 2).writeDone(0, 'ok', 2);
    expect(checkLinearizability(h.lines).verdict).toBe('valid');
  });

  it('an indeterminate write that took effect, even long after its client gave up', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2, 'x', 'info').read(2, 1).read(2, 2).read(2, 2);
    expect(checkLinearizability(h.lines).verdict).toBe('valid');
  });

  it('an indeterminate write that never took effect', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2, 'x', 'info').read(2, 1).read(2, 1);
    expect(checkLinearizability(h.lines).verdict).toBe('valid');
  });

  it('an indeterminate CAS in either outcome, and an operation the history ends before completing', () => {
    const tookEffect = new HistoryBuilder().write(0, 1).cas(1, 1, 5, 'info').read(2, 5);
    const didNot = new HistoryBuilder().write(0, 1).cas(1, 1, 5, 'info').read(2, 1);
    const unfinished = new HistoryBuilder().write(0, 1).invokeWrite(1, 7).read(2, 7);
    expect(checkLinearizability(tookEffect.lines).verdict).toBe('valid');
    expect(checkLinearizability(didNot.lines).verdict).toBe('valid');
    expect(checkLinearizability(unfinished.lines).verdict).toBe('valid');
  });

  it('failed operations never took effect: a failed CAS, a failed write', () => {
    const h = new HistoryBuilder().write(0, 1).cas(1, 3, 4, 'fail').write(1, 9, 'x', 'fail').read(0, 1);
    expect(checkLinearizability(h.lines).verdict).toBe('valid');
    // A failed write that the register nevertheless shows is not linearizable.
    const seen = new HistoryBuilder().write(0, 1).write(1, 9, 'x', 'fail').read(0, 9);
    expect(checkLinearizability(seen.lines).verdict).toBe('invalid');
  });

  it('ignores operations of other workloads sharing the history', () => {
    const h = new HistoryBuilder().write(0, 1);
    h.lines.push({ process: 5, type: 'invoke', f: 'create', value: { name: 'svc' }, time: 1e9 }, { process: 5, type: 'ok', f: 'create', value: { name: 'svc' }, time: 2e9 });
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('valid');
    expect(r.stats?.ignoredOps).toBe(1);
  });
});

describe('planted anomalies fail with evidence', () => {
  it('a stale read: a read after a completed write returns the older value', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2).read(2, 1);
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('invalid');
    const ev = evidenceOf(r);
    expect(ev.key).toBe('x');
    expect(ev.failing).toMatchObject({ process: 2, f: 'read', output: 1, invokeLine: 5, completeLine: 6 });
    expect(ev.valueBefore).toBe(2);
    expect(ev.prefixLength).toBe(2);
    expect(ev.prefix.map((p) => [p.f, p.input, p.valueAfter])).toEqual([
      ['write', 1, 1],
      ['write', 2, 2],
    ]);
    expect(r.summary).toContain('read → 1');
  });

  it('a lost write: an acknowledged write vanishes and a CAS from the value before it succeeds', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2).cas(2, 1, 3).read(0, 3);
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('invalid');
    const ev = evidenceOf(r);
    expect(ev.failing).toMatchObject({ f: 'cas', input: [1, 3], status: 'ok' });
    expect(ev.valueBefore).toBe(2);
  });

  it('a CAS that succeeds twice from the same value, even when the two overlap', () => {
    const h = new HistoryBuilder().write(0, 0).invokeCas(1, 0, 1).invokeCas(2, 0, 2).casDone(1, 'ok', 0, 1).casDone(2, 'ok', 0, 2);
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('invalid');
    const ev = evidenceOf(r);
    expect(ev.failing.f).toBe('cas');
    // The other CAS is concurrent with it and made it into the longest prefix.
    expect(ev.concurrent).toHaveLength(1);
    expect(ev.concurrent[0]).toMatchObject({ f: 'cas', inPrefix: true });
  });

  it('a read of a value nobody wrote, among concurrent operations on several keys', () => {
    const h = new HistoryBuilder().write(0, 1, 'a').write(1, 1, 'b').invokeWrite(0, 2, 'a').invokeRead(1, 'b').readOk(1, 7, 'b').writeDone(0, 'ok', 2, 'a');
    const r = checkLinearizability(h.lines);
    expect(r.verdict).toBe('invalid');
    const ev = evidenceOf(r);
    expect(ev.key).toBe('b');
    expect(ev.failing.text).toBe('process 1: read → 7 (ok, lines 6–7)');
    // Concurrent means on the same key: the write to "a" is not shown.
    expect(ev.concurrent).toEqual([]);
  });

  it('an indeterminate write cannot explain a read that completed before it was invoked', () => {
    const h = new HistoryBuilder().write(0, 1).read(1, 2).write(0, 2, 'x', 'info');
    expect(checkLinearizability(h.lines).verdict).toBe('invalid');
  });

  it('keeps evidence small on a long history: the failing op, its neighbours, the end of the prefix', () => {
    const ok = simulateRegisterHistory({ seed: 11, operations: 3000, concurrency: 8, keys: 1 });
    // Plant a read of a value never written, late in the history.
    const i = ok.findIndex((l, j) => j > 4000 && l.type === 'ok' && l.f === 'read');
    const bad = ok.map((l, j) => (j === i ? { ...l, value: ['chaos-register-0', 99] } : l));
    const r = checkLinearizability(bad);
    expect(r.verdict).toBe('invalid');
    const ev = evidenceOf(r);
    const planted = [ev.failing, ...ev.concurrent].find((o) => o.output === 99);
    expect(planted?.completeLine).toBe(i + 1);
    expect(ev.prefix.length).toBeLessThanOrEqual(8);
    expect(ev.concurrent.length).toBeLessThanOrEqual(20);
    expect(ev.prefixLength).toBeGreaterThan(1000);
    expect(JSON.stringify(ev).length).toBeLessThan(20_000);
  });
});

describe('budgets and bad input', () => {
  it('answers unknown on a huge concurrent history once its step budget is spent', () => {
    const h = simulateRegisterHistory({ seed: 3, operations: 20_000, concurrency: 64, keys: 1, infoRate: 0.3 });
    const r = checkLinearizability(h, { maxSteps: 20_000 });
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toContain('step budget');
    expect(r.stats!.steps).toBeLessThan(25_000);
  });

  it('answers unknown when the time budget is spent', () => {
    const h = simulateRegisterHistory({ seed: 4, operations: 20_000, concurrency: 8, keys: 1 });
    const r = checkLinearizability(h, { maxMs: 1 });
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toContain('time budget');
  });

  it('answers unknown when the cache budget is spent', () => {
    const h = simulateRegisterHistory({ seed: 3, operations: 5_000, concurrency: 64, keys: 1, infoRate: 0.3 });
    const r = checkLinearizability(h, { maxCacheEntries: 500 });
    expect(r.verdict).toBe('unknown');
    expect(r.stats!.peakCacheEntries).toBeLessThanOrEqual(501);
  });

  it('a malformed history is unknown with the line named, not an exception', () => {
    const orphan = checkLinearizability([{ process: 1, type: 'ok', f: 'read', value: ['x', 1], time: 5 }]);
    expect(orphan.verdict).toBe('unknown');
    expect(orphan.summary).toContain('history line 1');
    const badCas = new HistoryBuilder().invokeWrite(0, 1);
    badCas.lines.push({ process: 0, type: 'ok', f: 'write', value: ['x', 1], time: 9e9 }, { process: 1, type: 'invoke', f: 'cas', value: ['x', 3], time: 1e10 }, { process: 1, type: 'ok', f: 'cas', value: ['x', 3], time: 2e10 });
    const r = checkLinearizability(badCas.lines);
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toMatch(/history line 3: a cas value must be \[key, \[from, to\]\]/);
  });

  it('rejects a nonsensical budget with a clear error', () => {
    expect(() => checkLinearizability([], { maxSteps: 0 })).toThrow(/maxSteps must be a positive number/);
  });
});
