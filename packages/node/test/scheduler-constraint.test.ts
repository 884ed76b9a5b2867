import { describe, expect, it } from 'vitest';
import { ConstraintError, nodeMatchesConstraints, parseConstraints } from '../src/manager/scheduler/index.js';
import { node } from './scheduler-fixtures.js';

const worker = node('abc123', {
  hostname: 'Worker-1',
  role: 'worker',
  labels: { zone: 'eu-west', Disk: 'ssd' },
  engineLabels: { os: 'ubuntu 22.04' },
  os: 'linux',
  arch: 'x86_64',
  addr: '10.1.2.3',
});

function matches(expr: string, n = worker): boolean {
  return nodeMatchesConstraints(parseConstraints([expr]), n);
}

describe('constraints: each key, both operators', () => {
  const cases: [string, boolean][] = [
    ['node.id==abc123', true],
    ['node.id!=abc123', false],
    ['node.id==other', false],
    ['node.hostname==worker-1', true], // values compare case-insensitively
    ['node.hostname!=worker-2', true],
    ['node.role==worker', true],
    ['node.role==MANAGER', false],
    ['node.role!=manager', true],
    ['node.platform.os==Linux', true],
    ['node.platform.os!=linux', false],
    ['node.platform.arch==x86_64', true],
    ['node.platform.arch==arm64', false],
    ['node.labels.zone==EU-WEST', true],
    ['node.labels.zone!=eu-west', false],
    ['node.labels.disk==ssd', false], // label keys are case-sensitive: "disk" is missing, so ""
    ['node.labels.Disk==ssd', true],
    ['node.labels.missing!=x', true], // a missing label compares as ""
    ['node.labels.missing==x', false],
    ['NODE.LABELS.zone==eu-west', true], // the prefix is case-insensitive
    ['engine.labels.os==ubuntu 22.04', true],
    ['engine.labels.os!=ubuntu 22.04', false],
    ['node.ip==10.1.2.3', true],
    ['node.ip!=10.1.2.3', false],
    ['node.ip==10.1.0.0/16', true],
    ['node.ip!=10.1.0.0/16', false],
    ['node.ip==192.168.0.0/16', false],
    ['node.ip==not.an.address', false], // a malformed address rejects every node
    ['node.unknown==x', false],
    ['node.labels.constructor==x', false], // only the node's own labels count
  ];
  for (const [expr, expected] of cases) {
    it(`${expr} → ${expected}`, () => expect(matches(expr)).toBe(expected));
  }

  it('uses the role the node has (its certificate) over the desired role', () => {
    const promoting = { ...node('n2', { role: 'manager' }), role: 'worker' as const };
    expect(matches('node.role==worker', promoting)).toBe(true);
  });

  it('requires every constraint of a list', () => {
    expect(nodeMatchesConstraints(parseConstraints(['node.role==worker', 'node.labels.zone==eu-west']), worker)).toBe(true);
    expect(nodeMatchesConstraints(parseConstraints(['node.role==worker', 'node.labels.zone==us']), worker)).toBe(false);
  });

  it('trims spaces around keys and values', () => {
    expect(parseConstraints([' node.role == worker '])).toEqual([{ key: 'node.role', operator: '==', value: 'worker' }]);
  });
});

describe('constraints: parse errors, with SwarmKit texts', () => {
  it('rejects a missing operator', () => {
    expect(() => parseConstraints(['node.role=worker'])).toThrow(new ConstraintError('constraint expected one operator from ==, !='));
  });
  it('rejects a bad key', () => {
    expect(() => parseConstraints(['1node==x'])).toThrow("key '1node' is invalid");
  });
  it('rejects a bad value', () => {
    expect(() => parseConstraints(['node.role==<worker>'])).toThrow("value '<worker>' is invalid");
  });
});
