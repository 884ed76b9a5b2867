// Runs a TypeScript-capable ES module snippet in a child process (its own session, killed if it
// outlives the call) and returns what it printed as JSON.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

export async function runChildModule<T>(code: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: packageDir,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const [exitCode] = await once(child, 'exit');
    expect(exitCode).toBe(0);
    return JSON.parse(out) as T;
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}
