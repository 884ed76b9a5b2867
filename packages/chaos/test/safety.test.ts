// Raft safety from the event log (one leader per term) and acknowledged writes surviving to the
// end (the final value of each register is one its history allows).

import { describe, expect, it } from 'vitest';
import { checkAcknowledgedWrites, checkRaftSafety } from '../src/index.js';
import type { LabEventLine, RegisterValue } from '../src/types.js';
import { HistoryBuilder } from './helpers/history-builder.js';

const leader = (node: string, term: number, time = '2025-01-01T00:00:00.000Z'): LabEventLine => ({ time, kind: 'observed', node, event: 'leader', isLeader: true, term, lead: 1 });

describe('checkRaftSafety', () => {
  it('one leader per term is valid, whatever else the log holds', () => {
    const events: LabEventLine[] = [
      { time: 't0', kind: 'process', action: 'up' },
      leader('manager1', 2),
      { time: 't1', kind: 'observed', node: 'manager1', event: 'leader', isLeader: false, term: 3 },
      leader('manager2', 3),
      leader('manager2', 3), // reported again after a restart: still the same leader
      { time: 't2', kind: 'observed', node: 'manager3', event: 'status', value: 'down' },
    ];
    const r = checkRaftSafety(events);
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ leaderEvents: 3, terms: 2, conflicts: 0 });
  });

  it('two nodes leading the same term is invalid, with both lines as evidence', () => {
    const first = leader('manager1', 4, 'a');
    const second = leader('manager3', 4, 'b');
    const r = checkRaftSafety([leader('manager2', 3), first, leader('manager1', 5), second]);
    expect(r.verdict).toBe('invalid');
    expect(r.summary).toBe('two leaders in term 4: manager1 (at a) and manager3 (at b)');
    expect(r.evidence).toEqual({ conflicts: [{ term: 4, first, second }] });
  });

  it('an empty log is valid but says so', () => {
    expect(checkRaftSafety([]).summary).toContain('no leadership events');
  });
});

describe('checkAcknowledgedWrites', () => {
  const finals = (entries: [string, RegisterValue][]) => new Map(entries);

  it('the last acknowledged write is what the register holds: valid', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2).cas(0, 2, 3).read(1, 3);
    const r = checkAcknowledgedWrites(h.lines, finals([['x', 3]]));
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ judged: 1, determined: 1 });
  });

  it('a lost acknowledged write is invalid: the evidence names the key, the write and the value found', () => {
    const h = new HistoryBuilder().write(0, 1).write(1, 2);
    const r = checkAcknowledgedWrites(h.lines, finals([['x', 1]]));
    expect(r.verdict).toBe('invalid');
    expect(r.summary).toBe('acknowledged write missing on "x": it holds 1, but the last acknowledged write was process 1: write 2 (ok, lines 3–4); possible final values [2]');
    const ev = r.evidence as { violations: { key: string; found: RegisterValue; acknowledged: { f: string; input: unknown }[] }[] };
    expect(ev.violations[0]).toMatchObject({ key: 'x', found: 1, acknowledged: [{ f: 'write', input: 2 }] });
  });

  it('concurrent acknowledged writes may either be last; a failed one may not', () => {
    const h = new HistoryBuilder().write(0, 1).invokeWrite(0, 2).invokeWrite(1, 3).writeDone(0, 'ok', 2).writeDone(1, 'ok', 3).write(2, 9, 'x', 'fail');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', 2]])).verdict).toBe('valid');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', 3]])).verdict).toBe('valid');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', 1]])).verdict).toBe('invalid');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', 9]])).verdict).toBe('invalid');
  });

  it('an indeterminate write may land last, however early it was invoked', () => {
    const h = new HistoryBuilder().write(0, 5, 'x', 'info').write(1, 1).write(1, 2);
    const r = checkAcknowledgedWrites(h.lines, finals([['x', 5]]));
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ determined: 0 });
  });

  it('a register nobody wrote for certain may still be initial', () => {
    const h = new HistoryBuilder().read(0, null).write(1, 4, 'x', 'fail');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', null]])).verdict).toBe('valid');
    expect(checkAcknowledgedWrites(h.lines, finals([['x', 4]])).verdict).toBe('invalid');
  });

  it('keys not read at the end are not judged; other workloads are ignored', () => {
    const h = new HistoryBuilder().write(0, 1, 'a').write(0, 2, 'b');
    h.lines.push({ process: 7, type: 'invoke', f: 'create', value: { name: 's' }, time: 1e12 }, { process: 7, type: 'ok', f: 'create', value: { name: 's' }, time: 2e12 });
    const r = checkAcknowledgedWrites(h.lines, finals([['a', 1]]));
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ keys: 2, judged: 1, unread: 1 });
  });

  it('a malformed history is unknown, not an exception', () => {
    const r = checkAcknowledgedWrites([{ process: 0, type: 'ok', f: 'write', value: ['x', 1], time: 1 }], finals([]));
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toContain('history line 1');
  });
});
