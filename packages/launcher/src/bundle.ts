// Node processes run from pre-bundled JavaScript, not through tsx: a node then starts in ~0.1 s
// instead of ~0.5 s of TypeScript compilation, which matters when `up` starts 100 of them.
// Three CommonJS files (CommonJS because only a script can be compiled with V8's code cache in
// Node 20; see packages/node/src/boot/code-cache.ts):
//   swarmd.cjs       the entry (boot.ts): loads the other two through the code cache
//   swarmd-main.cjs  the node program. What it imports dynamically (the manager with Raft, the
//                    control API and the CA; the emulated container programs) is bundled in but
//                    runs only when first imported, so a worker never initializes the manager.
//   x509.cjs         @peculiar/x509 and its ASN.1 stack, a third of the code, which only the CA
//                    and certificate files need: not held in every worker's memory.
// The bundle is rebuilt whenever a source file of the workspace is newer than it.

import { build, type BuildOptions } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_ENTRY = join(PACKAGES, 'node', 'src', 'main.ts');
export const NODE_DIST = join(PACKAGES, 'node', 'dist');

/**
 * The build's files and the library kept out of the program (see above). The entry (boot.ts)
 * gets this at build time, so the names live here only.
 */
const LAYOUT = { entry: 'swarmd.cjs', program: 'swarmd-main.cjs', library: { id: '@peculiar/x509', file: 'x509.cjs' } };
export const NODE_BUNDLE = join(NODE_DIST, LAYOUT.entry);
export const SEPARATE_LIBRARY = LAYOUT.library.id;

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Smaller source reads and hashes faster and costs less memory in each of a hundred nodes.
  minify: true,
  keepNames: true,
  logLevel: 'error',
};

/**
 * The two files the entry compiles with the code cache are written inside Node's CommonJS wrapper
 * (the same text as COMMONJS_WRAPPER in packages/node/src/boot/code-cache.ts, which cannot be
 * imported from here: the node package depends on this one), so that the loader compiles them as
 * read instead of holding copies of a 700 KB source.
 */
export const COMMONJS_WRAPPED: Pick<BuildOptions, 'banner' | 'footer'> = {
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '\n})' },
};

/** The node program's build (tests read its import graph from the metafile). */
export const programBuild: BuildOptions = { ...common, ...COMMONJS_WRAPPED, entryPoints: [NODE_ENTRY], external: [SEPARATE_LIBRARY] };

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
 * Moves a finished build from `staging` into NODE_DIST, each file by rename and the entry last: a
 * node starting meanwhile gets whole files (the entry loads whichever program is there). Code
 * caches of the old program can never match the new one: they go.
 */
function install(staging: string): void {
  for (const name of [LAYOUT.program, LAYOUT.library.file, LAYOUT.entry]) renameSync(join(staging, name), join(NODE_DIST, name));
  rmSync(join(NODE_DIST, 'code-cache'), { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
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
    mkdirSync(staging, { recursive: true });
    try {
      await Promise.all([
        build({ ...programBuild, outfile: join(staging, LAYOUT.program) }),
        build({
          ...common,
          ...COMMONJS_WRAPPED,
          stdin: { contents: `module.exports = require('${SEPARATE_LIBRARY}');`, resolveDir: join(PACKAGES, 'pki'), loader: 'js' },
          outfile: join(staging, LAYOUT.library.file),
        }),
        build({
          ...common,
          entryPoints: [join(PACKAGES, 'node', 'src', 'boot', 'boot.ts')],
          define: { __BUNDLE_LAYOUT__: JSON.stringify(LAYOUT) },
          outfile: join(staging, LAYOUT.entry),
        }),
      ]);
      install(staging);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return NODE_BUNDLE;
  })().finally(() => {
    building = undefined;
  }));
}
