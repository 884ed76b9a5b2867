// Nodes start from a startup snapshot built under their V8 flags (see startup-snapshot.ts). The
// snapshot must run the module named on the command line exactly as Node would run it directly.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startupSnapshot } from '../src/startup-snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmlab-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startup snapshot', () => {
  it('runs the ESM module given on the command line with its arguments, top-level await, dynamic import and exit code', async () => {
    const flags = ['--max-semi-space-size=1'];
    const blob = await startupSnapshot(flags);
    expect(blob).toBeDefined();
    expect(await startupSnapshot(flags), 'built once, then reused').toBe(blob);
    writeFileSync(join(dir, 'lazy.mjs'), 'export const answer = 42;\n');
    writeFileSync(
      join(dir, 'main.mjs'),
      [
        "const { answer } = await import('./lazy.mjs');",
        "process.stdout.write(JSON.stringify({ args: process.argv.slice(2), url: import.meta.url.endsWith('/main.mjs'), answer }));",
        'process.exitCode = 3;',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [...flags, '--snapshot-blob', blob!, join(dir, 'main.mjs'), '--addr', '127.0.0.1'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ args: ['--addr', '127.0.0.1'], url: true, answer: 42 });
    expect(run.status).toBe(3);
  });

  it('is built again when its file was deleted after it was built', async () => {
    // Flags no node runs with: nodes other test files start meanwhile need their own blobs.
    const flags = ['--max-semi-space-size=3'];
    const blob = (await startupSnapshot(flags))!;
    rmSync(blob);
    expect(await startupSnapshot(flags)).toBe(blob);
    expect(existsSync(blob)).toBe(true);
  });

  it('is refused by V8 under other flags, which is why each flag set has its own', async () => {
    const blob = await startupSnapshot(['--max-semi-space-size=1']);
    writeFileSync(join(dir, 'noop.mjs'), '');
    const run = spawnSync(process.execPath, ['--max-semi-space-size=2', '--snapshot-blob', blob!, join(dir, 'noop.mjs')], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(await startupSnapshot(['--max-semi-space-size=2'])).not.toBe(blob);
  });
});
