// Pure pieces of the CLI: flag parsers, tables, event lines.

import { describe, expect, it } from 'vitest';
import { eventLine, nodesTable, table } from '../src/format.js';
import * as parse from '../src/parse.js';

describe('flag parsers', () => {
  it('read signed clock offsets', () => {
    expect(parse.signedDuration('-30s')).toBe(-30_000);
    expect(parse.signedDuration('+1.5m')).toBe(90_000);
    expect(parse.signedDuration('250ms')).toBe(250);
    expect(() => parse.signedDuration('soon')).toThrow(/invalid duration "soon"/);
  });

  it('read counts, CIDRs and prefix lengths, rejecting the rest with the rule', () => {
    expect(parse.count(1)('3')).toBe(3);
    expect(() => parse.count(1)('0')).toThrow('expected a whole number, 1 or more');
    expect(() => parse.count(0)('2.5')).toThrow('expected a whole number');
    expect(parse.cidr('10.20.0.0/16')).toBe('10.20.0.0/16');
    expect(() => parse.cidr('10.300.0.0/16')).toThrow('expected an IPv4 CIDR');
    expect(() => parse.maskLength('33')).toThrow('from 1 to 32');
    expect(parse.loss('5%')).toBe(0.05);
    expect(parse.rate('1mbit')).toBe(125_000);
  });
});

describe('tables', () => {
  it('aligns columns like the docker CLI', () => {
    expect(table(['A', 'LONGER'], [['xyz', '1'], ['q', '']])).toBe('A     LONGER\nxyz   1\nq');
  });

  it('shows nodes with Docker spellings and "-" for a stopped node pid', () => {
    const text = nodesTable(
      [
        { name: 'manager1', role: 'manager', addr: '127.10.0.2', pid: 10, state: 'running', status: 'ready', availability: 'active', managerStatus: 'leader' },
        { name: 'worker1', role: 'worker', addr: '127.10.0.3', pid: undefined, state: 'stopped', status: 'down', availability: 'active', managerStatus: '' },
      ],
      true,
    );
    expect(text.split('\n')).toEqual([
      'NAME       ROLE      ADDRESS      PID   PROCESS   STATUS   AVAILABILITY   MANAGER STATUS',
      'manager1   manager   127.10.0.2   10    running   Ready    Active         Leader',
      'worker1    worker    127.10.0.3   -     stopped   Down     Active',
    ]);
  });
});

describe('event lines', () => {
  const time = '2026-01-02T03:04:05.123456789Z';
  it('say who leads, what a fault did and what the swarm saw', () => {
    expect(eventLine({ time, kind: 'observed', node: 'manager2', event: 'leader', isLeader: true, term: 3 })).toBe('2026-01-02T03:04:05.123Z  observed  manager2 is the leader (term 3)');
    expect(eventLine({ time, kind: 'observed', node: 'manager1', event: 'leader', isLeader: false, term: 3, leaderNodeId: '' })).toMatch(/manager1 has no leader \(term 3\)$/);
    expect(eventLine({ time, kind: 'fault', fault: 'partition', groups: [['manager1'], ['manager2', 'manager3']] })).toMatch(/fault     partition groups=\[manager1\],\[manager2,manager3\]$/);
    expect(eventLine({ time, kind: 'observed', node: 'worker1', event: 'status', value: 'down', previous: 'ready' })).toMatch(/worker1 status ready -> down$/);
    expect(eventLine({ time, kind: 'heal' })).toMatch(/heal      every network fault lifted, paused nodes resumed$/);
  });
});
