// The launcher starts expected workers at nice 10; a node that becomes a manager takes the normal
// priority back for itself and its autogroup, which works when privileged (root, as in CI) and
// otherwise reports why it could not.

import { describe, expect, it } from 'vitest';
import { runChildModule } from './helpers/child-module.js';

const moduleUrl = new URL('../src/daemon/cpu-priority.ts', import.meta.url).href;

// Runs in a child in its own session (so its own autogroup): lowers itself as the launcher does, then claims a manager's priority.
const CHILD = `
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
const { claimManagerPriority, cpuNice } = await import(process.env.PRIORITY_MODULE);
try { writeFileSync('/proc/self/autogroup', '10'); } catch {}
setPriority(10);
const lowered = cpuNice();
const result = claimManagerPriority();
process.stdout.write(JSON.stringify({ lowered, result, after: cpuNice() }));
`;

interface PriorityReport {
  lowered: { process: number };
  result: { ok: boolean; nice?: number; error?: string };
  after: unknown;
}

describe('a manager CPU priority', () => {
  it('is taken back by a node started lower, or the reason it cannot be is given', async () => {
    const { lowered, result, after } = await runChildModule<PriorityReport>(CHILD, { PRIORITY_MODULE: moduleUrl });
    expect(lowered.process).toBe(10);
    if (process.getuid?.() === 0) {
      expect(result).toEqual({ ok: true });
      expect(after).toEqual({ process: 0, autogroup: 0 });
    } else {
      expect(result.ok).toBe(false);
      expect(result.nice).toBe(10);
      expect(result.error).toMatch(/./);
    }
  });
});
