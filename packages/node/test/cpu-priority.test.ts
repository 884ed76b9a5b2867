// The launcher starts expected workers at nice 10; a node that becomes a manager takes the normal
// priority back for itself and its autogroup, which works when privileged (root, as in CI) and
// otherwise reports why it could not.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
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

describe('a manager CPU priority', () => {
  it('is taken back by a node started lower, or the reason it cannot be is given', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: packageDir,
      detached: true,
      env: { ...process.env, PRIORITY_MODULE: moduleUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      const { lowered, result, after } = JSON.parse(out);
      expect(lowered.process).toBe(10);
      if (process.getuid?.() === 0) {
        expect(result).toEqual({ ok: true });
        expect(after).toEqual({ process: 0, autogroup: 0 });
      } else {
        expect(result.ok).toBe(false);
        expect(result.nice).toBe(10);
        expect(result.error).toMatch(/./);
      }
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
