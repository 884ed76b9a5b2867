// Node processes run from one pre-bundled JavaScript file, not through tsx: a node then starts in
// ~0.1 s instead of ~0.5 s of TypeScript compilation, which matters when `up` starts 100 of them.
// The bundle is rebuilt whenever a source file of the workspace is newer than it.

import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_ENTRY = join(PACKAGES, 'node', 'src', 'main.ts');
export const NODE_BUNDLE = join(PACKAGES, 'node', 'dist', 'swarmd.mjs');

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

let building: Promise<string> | undefined;

/** Path of an up-to-date bundle of the node program, building it if needed. */
export function nodeBundle(): Promise<string> {
  return (building ??= (async () => {
    const sources = ['node', 'raft', 'pki', 'transport', 'api'].map((p) => join(PACKAGES, p, 'src')).filter(existsSync);
    // This file's own options count too: changing them must rebuild.
    const newest = Math.max(...sources.map(newestSource), statSync(fileURLToPath(import.meta.url)).mtimeMs);
    if (existsSync(NODE_BUNDLE) && statSync(NODE_BUNDLE).mtimeMs >= newest) return NODE_BUNDLE;
    await build({
      entryPoints: [NODE_ENTRY],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: NODE_BUNDLE,
      // CommonJS dependencies call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __swarmlabRequire } from 'node:module'; const require = __swarmlabRequire(import.meta.url);" },
      // Smaller source parses faster: a hundred nodes start a hundred times.
      minify: true,
      keepNames: true,
      logLevel: 'error',
    });
    return NODE_BUNDLE;
  })().finally(() => {
    building = undefined;
  }));
}
