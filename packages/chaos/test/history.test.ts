// history.jsonl: reading and writing it, clear errors naming the line, and pairing invokes with
// their completions.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryError, pairOperations, parseHistory, readHistory, writeHistory } from '../src/index.js';
import type { HistoryOp } from '../src/types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chaos-history-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sample: HistoryOp[] = [
  { process: 0, type: 'invoke', f: 'write', value: ['x', 1], time: 10, node: 'manager1' },
  { process: 1, type: 'invoke', f: 'read', value: ['x', null], time: 20 },
  { process: 0, type: 'ok', f: 'write', value: ['x', 1], time: 30 },
  { process: 1, type: 'info', f: 'read', value: ['x', null], time: 40, error: 'timeout' },
  { process: 9, type: 'invoke', f: 'cas', value: ['x', [1, 2]], time: 50 },
];

describe('reading and writing history.jsonl', () => {
  it('round-trips: what is written reads back the same, with positions filled in', async () => {
    const file = join(dir, 'history.jsonl');
    await writeHistory(file, sample);
    const back = await readHistory(file);
    expect(back).toEqual(sample.map((op, index) => ({ ...op, index })));
  });

  it('skips blank lines and treats a missing value as null', () => {
    const ops = parseHistory('\n{"process":0,"type":"invoke","f":"read","time":1}\n\n');
    expect(ops).toEqual([{ process: 0, type: 'invoke', f: 'read', value: null, time: 1, index: 0 }]);
  });

  it('names the line of a malformed entry', () => {
    const good = JSON.stringify(sample[0]);
    expect(() => parseHistory(`${good}\n{"process":0,`)).toThrow(/^line 2: not valid JSON/);
    expect(() => parseHistory(`${good}\n${good}\n[1,2]`)).toThrow('line 3: not a JSON object');
    expect(() => parseHistory('{"process":-1,"type":"ok","f":"read","time":1}')).toThrow(/line 1: "process" must be a non-negative integer/);
    expect(() => parseHistory('{"process":1,"type":"done","f":"read","time":1}')).toThrow(/line 1: "type" must be invoke, ok, fail or info, got "done"/);
    expect(() => parseHistory('{"process":1,"type":"ok","f":"","time":1}')).toThrow(/line 1: "f" must be a non-empty string/);
    expect(() => parseHistory('{"process":1,"type":"ok","f":"read","time":"soon"}')).toThrow(/line 1: "time" must be a number/);
    expect(() => parseHistory('{"process":1,"type":"ok","f":"read","time":1,"node":5}')).toThrow(/line 1: "node" must be a string/);
  });

  it('says which file a bad line is in', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, 'nonsense\n');
    await expect(readHistory(file)).rejects.toThrow(`${file}: line 1: not valid JSON`);
    await expect(readHistory(join(dir, 'missing.jsonl'))).rejects.toThrow(/ENOENT/);
  });
});

describe('pairing invokes with completions', () => {
  it('pairs per process, splits [key, value], and leaves unfinished operations indeterminate', () => {
    const ops = pairOperations(sample);
    expect(ops).toEqual([
      { process: 0, f: 'write', key: 'x', input: 1, output: 1, call: 10, ret: 30, status: 'ok', invokeIndex: 0, completeIndex: 2, node: 'manager1' },
      { process: 1, f: 'read', key: 'x', input: null, output: null, call: 20, ret: Infinity, status: 'info', invokeIndex: 1, completeIndex: 3, error: 'timeout' },
      { process: 9, f: 'cas', key: 'x', input: [1, 2], output: undefined, call: 50, ret: Infinity, status: 'info', invokeIndex: 4, completeIndex: null },
    ]);
  });

  it('a value that is not [key, x] has no key', () => {
    const [op] = pairOperations([
      { process: 0, type: 'invoke', f: 'create', value: { name: 'svc' }, time: 1 },
      { process: 0, type: 'ok', f: 'create', value: { name: 'svc' }, time: 2 },
    ]);
    expect(op).toMatchObject({ key: null, input: { name: 'svc' }, status: 'ok' });
  });

  it('rejects histories that break the one-operation-per-process rule, naming the line', () => {
    const at = (ops: Partial<HistoryOp>[]) => () => pairOperations(ops.map((o, i) => ({ process: 0, f: 'read', value: ['x', null], time: i, type: 'invoke', ...o })) as HistoryOp[]);
    expect(at([{}, {}])).toThrow(new HistoryError('history line 2: process 0 invokes read while its read from line 1 is still open'));
    expect(at([{ type: 'ok' }])).toThrow('history line 1: ok completion for process 0 without an open invoke');
    expect(at([{}, { type: 'ok', f: 'write' }])).toThrow('history line 2: process 0 completes write but invoked read at line 1');
    expect(at([{ time: 5 }, { type: 'ok', time: 4 }])).toThrow('history line 2: completes at 4 ns, before its invoke at 5 ns');
    expect(at([{}, { type: 'ok', value: ['y', 1] }])).toThrow('history line 2: completes key "y" but invoked key "x"');
  });
});
