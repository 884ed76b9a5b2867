// Node processes run from pre-bundled JavaScript, not through tsx: a node then starts in ~0.1 s
// instead of ~0.5 s of TypeScript compilation, which matters when `up` starts 100 of them.
// The bundle is split at the program's dynamic imports: a node starts with the Engine API, the
// daemon and the agent only, and loads the manager (Raft, control API, CA, X.509) and the
// emulated container programs when it first needs them — a worker never parses the manager.
// The bundle is rebuilt whenever a source file of the workspace is newer than it.

import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_ENTRY = join(PACKAGES, 'node', 'src', 'main.ts');
export const NODE_DIST = join(PACKAGES, 'node', 'dist');
export const NODE_BUNDLE = join(NODE_DIST, 'swarmd.mjs');
const CHUNKS = 'chunks';

/** Old chunks stay this long: a node started from an older build may still load one lazily. */
const CHUNK_KEEP_MS = 24 * 3600_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'test') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') || entry.name === 'package.json') newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Moves a finished build from `staging` into NODE_DIST: chunks first (their names carry a content
 * hash, so they never replace a file a running node uses), the entry last, each by rename — a
 * node starting meanwhile sees the old build or the new one, never half of one.
 */
function install(staging: string): void {
  const chunks = join(NODE_DIST, CHUNKS);
  mkdirSync(chunks, { recursive: true });
  const built = join(staging, CHUNKS);
  for (const name of existsSync(built) ? readdirSync(built) : []) renameSync(join(built, name), join(chunks, name));
  renameSync(join(staging, 'swarmd.mjs'), NODE_BUNDLE);
  rmSync(staging, { recursive: true, force: true });
  const now = Date.now();
  for (const name of readdirSync(chunks)) {
    const p = join(chunks, name);
    if (now - statSync(p).mtimeMs > CHUNK_KEEP_MS) rmSync(p, { force: true });
  }
}

let building: Promise<string> | undefined;

/** Path of an up-to-date bundle of the node program, building it if needed. */
export function nodeBundle(): Promise<string> {
  return (building ??= (async () => {
    const sources = ['node', 'raft', 'pki', 'transport', 'api'].map((p) => join(PACKAGES, p, 'src')).filter(existsSync);
    // This file's own options count too: changing them must rebuild.
    const newest = Math.max(...sources.map(newestSource), statSync(fileURLToPath(import.meta.url)).mtimeMs);
    if (existsSync(NODE_BUNDLE) && statSync(NODE_BUNDLE).mtimeMs >= newest) return NODE_BUNDLE;
    // Several launchers (parallel test files) may build at once: each in its own directory.
    const staging = join(NODE_DIST, `.build-${process.pid}-${Date.now()}`);
    try {
      await build({
        entryPoints: { swarmd: NODE_ENTRY },
        bundle: true,
        splitting: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outdir: staging,
        outExtension: { '.js': '.mjs' },
        chunkNames: `${CHUNKS}/[name]-[hash]`,
        // CommonJS dependencies call require(); give every ESM chunk one.
        banner: { js: "import { createRequire as __swarmlabRequire } from 'node:module'; const require = __swarmlabRequire(import.meta.url);" },
        // Smaller source parses faster: a hundred nodes start a hundred times.
        minify: true,
        keepNames: true,
        logLevel: 'error',
      });
      install(staging);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return NODE_BUNDLE;
  })().finally(() => {
    building = undefined;
  }));
}
