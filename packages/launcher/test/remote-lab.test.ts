// RemoteLab offers a script the same verbs as Lab, and the launcher serves each of them.

import { describe, expect, it } from 'vitest';
import { Lab } from '../src/lab.js';
import { RemoteLab, type LabApi } from '../src/remote.js';
import { SUPERVISOR_METHODS } from '../src/supervisor-protocol.js';

// Compile-time: both classes are LabApis, so a script typed against LabApi runs on either.
const asApi: ((lab: Lab) => LabApi) & ((lab: RemoteLab) => LabApi) = (lab: Lab | RemoteLab) => lab;

const VERBS = [
  'kill', 'stop', 'start', 'restart', 'pause', 'resume', 'partition', 'isolate', 'partitionHalves', 'partitionMajoritiesRing',
  'partitionBridge', 'block', 'link', 'heal', 'clock', 'leader', 'list', 'resolve', 'status', 'nicStats', 'allReady', 'notReady', 'add',
  'client', 'waitFor', 'pids', 'down',
] as const;

describe('RemoteLab', () => {
  it('has every verb of Lab under the same name', () => {
    expect(typeof asApi).toBe('function');
    for (const verb of VERBS) {
      expect(typeof (Lab.prototype as unknown as Record<string, unknown>)[verb], `Lab.${verb}`).toBe('function');
      expect(typeof (RemoteLab.prototype as unknown as Record<string, unknown>)[verb], `RemoteLab.${verb}`).toBe('function');
    }
  });

  it('finds each remote call among the methods the launcher serves', () => {
    const local = new Set(['client', 'waitFor', 'down']);
    for (const verb of VERBS.filter((v) => !local.has(v))) expect(SUPERVISOR_METHODS).toContain(verb);
  });

  it('refuses to connect when no cluster runs, saying how to start one', async () => {
    await expect(RemoteLab.connect(undefined, { home: '/nonexistent-swarmlab-home' })).rejects.toThrow('no cluster is running (start one with `swarmlab up`)');
  });
});
