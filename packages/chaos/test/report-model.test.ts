import { describe, expect, it } from 'vitest';
import { esc, jsonForScript, shellWord } from '../src/report/escape.js';
import { faultWindows } from '../src/report/faults.js';
import { leadership } from '../src/report/leaders.js';
import { pairOperations } from '../src/report/operations.js';
import { packRows } from '../src/report/svg-parts.js';
import type { Fault, HistoryOp, LabEventLine } from '../src/types.js';

const T0 = Date.parse('2025-11-26T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const leader = (ms: number, node: string, term: number, isLeader = true): LabEventLine => ({ time: at(ms), kind: 'observed', node, event: 'leader', isLeader, term });

describe('pairOperations', () => {
  it('pairs each invoke with the next completion of its process, in ms', () => {
    const lines: HistoryOp[] = [
      { process: 0, type: 'invoke', f: 'read', value: ['k', null], time: 1e6, node: 'm1' },
      { process: 1, type: 'invoke', f: 'write', value: ['k', 3], time: 2e6 },
      { process: 0, type: 'ok', f: 'read', value: ['k', 3], time: 4e6 },
      { process: 1, type: 'info', f: 'write', value: ['k', 3], time: 9e6, error: 'timeout' },
      { process: 0, type: 'invoke', f: 'cas', value: ['k', [3, 4]], time: 10e6 },
    ];
    const { ops, warnings } = pairOperations(lines);
    expect(ops).toEqual([
      { process: 0, f: 'read', type: 'ok', value: ['k', 3], start: 1, end: 4, node: 'm1', error: undefined },
      { process: 1, f: 'write', type: 'info', value: ['k', 3], start: 2, end: 9, node: undefined, error: 'timeout' },
      { process: 0, f: 'cas', type: 'info', value: ['k', [3, 4]], start: 10, end: undefined, node: undefined },
    ]);
    expect(warnings).toEqual(['1 operation(s) never completed; drawn as indeterminate up to the end']);
  });

  it('counts what it cannot pair instead of guessing', () => {
    const { ops, warnings } = pairOperations([
      { process: 0, type: 'ok', f: 'read', value: null, time: 1 },
      { process: 1, type: 'invoke', f: 'read', value: null, time: 2e6 },
      { process: 1, type: 'invoke', f: 'read', value: null, time: 5e6 },
      { process: 1, type: 'fail', f: 'read', value: null, time: 6e6 },
      { process: 'x', type: 'ok', time: 1 },
    ]);
    expect(ops.map((o) => [o.start, o.end, o.type])).toEqual([
      [2, 5, 'info'],
      [5, 6, 'fail'],
    ]);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/1 history line.*\n1 completion.*\n1 invoke/);
  });
});

describe('leadership', () => {
  it('ends a tenure on step-down, on a higher term elsewhere, and keeps same-term leaders overlapping', () => {
    const { changes, tenures } = leadership(
      [
        leader(-1_000, 'm1', 2),
        leader(3_000, 'm2', 3), // m1 was killed: it never said it stepped down
        leader(5_000, 'm2', 3, false),
        leader(6_000, 'm3', 4),
        leader(6_500, 'm4', 4), // split brain: two leaders in term 4
        { time: at(7_000), kind: 'observed', node: 'm1', event: 'status', value: 'down' },
      ],
      T0,
    );
    expect(changes.map((c) => [c.at, c.node, c.term])).toEqual([
      [-1_000, 'm1', 2],
      [3_000, 'm2', 3],
      [6_000, 'm3', 4],
      [6_500, 'm4', 4],
    ]);
    expect(tenures.map((t) => [t.node, t.start, t.end])).toEqual([
      ['m1', -1_000, 3_000],
      ['m2', 3_000, 5_000],
      ['m3', 6_000, Infinity],
      ['m4', 6_500, Infinity],
    ]);
  });
});

describe('faultWindows', () => {
  const fault = (over: Partial<Fault>): Fault => ({ at: 1_000, duration: 2_000, kind: 'kill', action: 'kill', target: 'leader', ...over });

  it('uses when a fault really ran, and the planned window otherwise', () => {
    const { windows } = faultWindows(
      [fault({}), fault({ applied: { nodes: ['m2'], at: 1_040, healedAt: 3_100 } }), fault({ target: ['w1', 'w2'] })],
      T0,
    );
    expect(windows.map((w) => [w.start, w.end, w.nodes])).toEqual([
      [1_000, 3_000, []],
      [1_040, 3_100, ['m2']],
      [1_000, 3_000, ['w1', 'w2']],
    ]);
  });

  it('reads epoch timestamps in applied as offsets from the run start', () => {
    const { windows } = faultWindows([fault({ applied: { nodes: [], at: T0 + 1_500, healedAt: T0 + 2_500 } })], T0);
    expect([windows[0].start, windows[0].end]).toEqual([1_500, 2_500]);
  });
});

describe('helpers', () => {
  it('escapes HTML and keeps inline JSON from closing its script', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = jsonForScript({ v: '</script><!-- \u2028' });
    expect(json).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(json)).toEqual({ v: '</script><!-- \u2028' });
  });

  it('quotes shell words only when needed', () => {
    expect(shellWord('/tmp/run-1')).toBe('/tmp/run-1');
    expect(shellWord("/tmp/a b'c")).toBe(`'/tmp/a b'\\''c'`);
  });

  it('packs intervals into the fewest rows, sharing rows past the limit', () => {
    const boxes = [
      { x0: 0, x1: 10 },
      { x0: 5, x1: 15 },
      { x0: 12, x1: 20 },
      { x0: 6, x1: 8 },
    ];
    expect(packRows(boxes, 1, 3)).toEqual({ rows: [0, 1, 0, 2], count: 3 });
    expect(packRows(boxes, 1, 2).count).toBe(2);
  });
});
