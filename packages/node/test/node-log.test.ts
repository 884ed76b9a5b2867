// The node's log lines: pino JSON lines (what `swarmlab logs` pretty-prints), written at once;
// odd field values never cost the line.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type NodeLogger } from '../src/log.js';

let dir: string | undefined;
let logger: NodeLogger | undefined;
afterEach(() => {
  logger?.close();
  logger = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('node log', () => {
  it('writes pino JSON lines: numeric level, ISO time, the node fields, the call fields, msg', () => {
    dir = mkdtempSync(join(tmpdir(), 'node-log-'));
    const file = join(dir, 'logs', 'manager1.log');
    const log = (logger = createLogger(file, { node: 'manager1', addr: '127.0.0.2' }));
    log('info', 'swarmd ready', { api: '127.0.0.2:2375' });
    log('warn', 'a "quoted" message');
    log('error', 'failed', { attempt: 2 });
    const [a, b, c] = lines(file);
    expect(Object.keys(a)).toEqual(['level', 'time', 'node', 'addr', 'api', 'msg']);
    expect(a).toMatchObject({ level: 30, node: 'manager1', addr: '127.0.0.2', api: '127.0.0.2:2375', msg: 'swarmd ready' });
    expect(new Date(a.time as string).toISOString()).toBe(a.time);
    expect(b).toMatchObject({ level: 40, msg: 'a "quoted" message' });
    expect(c).toMatchObject({ level: 50, attempt: 2, msg: 'failed' });
  });

  it('keeps the line when a field is an Error or circular, and drops lines after close()', () => {
    dir = mkdtempSync(join(tmpdir(), 'node-log-'));
    const file = join(dir, 'n.log');
    const log = (logger = createLogger(file, { node: 'w1' }));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    log('info', 'failed', { err: new Error('boom') });
    log('warn', 'circular', circular);
    logger.close();
    log('info', 'after close');
    const [failed, circ, ...rest] = lines(file);
    expect(failed).toMatchObject({ err: { type: 'Error', message: 'boom' }, msg: 'failed' });
    expect(circ).toMatchObject({ self: { self: '[Circular]' }, msg: 'circular' });
    expect(rest).toEqual([]);
  });
});
