// A node starts with the Engine API, the daemon and the agent only: the manager (Raft, control
// API, CA), the emulated container programs and docker run's routes are imported dynamically, so they are bundled in but
// run only when first needed, and @peculiar/x509 is a bundle of its own. A static import in the
// wrong place would silently put them back on every node's start-up path (and in every worker's
// memory); this test notices. It then runs the built program the way nodes run it.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { readBundleSource } from '../../node/src/boot/code-cache.js';
import { NODE_BUNDLE, NODE_DIST, NODE_ENTRY, nodeBundle, programBuild, SEPARATE_LIBRARY } from '../src/bundle.js';

type Imports = Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;

/** Source files reachable from the entry by static imports: what runs when a node starts. */
function startupModules(inputs: Imports, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !inputs[path]) return;
    seen.add(path);
    for (const i of inputs[path].imports) if (i.kind !== 'dynamic-import' && !i.external) visit(i.path);
  };
  visit(entry);
  return seen;
}

describe('node bundle', () => {
  it('keeps the manager, X.509 and the container programs off the start-up path', async () => {
    const result = await build({ ...programBuild, write: false, metafile: true, outfile: join(NODE_DIST, 'check.cjs') });
    const inputs = result.metafile.inputs as Imports;
    const entry = relative(process.cwd(), NODE_ENTRY);
    const startup = [...startupModules(inputs, entry)];
    const onStartup = (file: string) => startup.some((p) => p.endsWith(file));
    expect(onStartup('node/src/daemon/daemon.ts')).toBe(true);
    expect(onStartup('node/src/agent/agent.ts') || onStartup('node/src/agent/worker.ts')).toBe(true);
    for (const lazy of ['node/src/daemon/manager-side.ts', 'node/src/manager/raft/raft-node.ts', 'node/src/daemon/certificates.ts', 'node/src/agent/exec/index.ts', 'node/src/engine/routes-run.ts']) {
      expect(onStartup(lazy), `${lazy} is loaded at start-up`).toBe(false);
      expect(Object.keys(inputs).some((p) => p.endsWith(lazy)), `${lazy} is in the bundle`).toBe(true);
    }
    const external = Object.values(inputs).flatMap((i) => i.imports.filter((imp) => imp.external).map((imp) => imp.path));
    expect(external).toContain(SEPARATE_LIBRARY);
    expect(Object.keys(inputs).some((p) => p.includes('@peculiar+x509'))).toBe(false);
  });

  it('runs as a node does, from its entry, and reports the code cache', async () => {
    const entry = await nodeBundle();
    expect(entry).toBe(NODE_BUNDLE);
    for (const file of ['swarmd-main.cjs', 'x509.cjs']) {
      // Written inside the wrapper the loader expects, so that it compiles the file as read.
      const path = join(NODE_DIST, file);
      expect(readBundleSource(path).length, `${file} is wrapped again when loaded`).toBe(readFileSync(path, 'utf8').length);
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    const child = spawn(process.execPath, [entry, '--addr', '127.0.97.1', '--state-dir', stateDir, '--hostname', 'bundled'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      await Promise.race([
        new Promise<void>((resolve) => child.stdout!.on('data', () => out.includes('swarmd ready') && resolve())),
        once(child, 'exit').then(([code]) => Promise.reject(new Error(`exited with ${code}: ${out}`))),
      ]);
      expect(out).toMatch(/"codeCache":"(absent|accepted)"/);
      // The manager side (with X.509 from its own bundle) loads on `swarm init`.
      const res = await fetch('http://127.0.97.1:2375/swarm/init', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ListenAddr: '127.0.97.1' }) });
      expect(res.status).toBe(200);
      const info = (await (await fetch('http://127.0.97.1:2375/info')).json()) as { Swarm: { LocalNodeState: string; ControlAvailable: boolean } };
      expect(info.Swarm).toMatchObject({ LocalNodeState: 'active', ControlAvailable: true });
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
