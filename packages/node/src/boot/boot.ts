// The node program's entry when it runs from its bundle (packages/node/dist/swarmd.cjs): loads the
// program (swarmd-main.cjs) and, on first use, the X.509 library (x509.cjs) through V8's code cache
// (see code-cache.ts). X.509 is a bundle of its own so that the source of the largest library,
// which only the CA and certificate files need, is not held in every worker's memory.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CODE_CACHE_HOOK, loadCommonJs, type CodeCacheHook, type LoadedBundle } from './code-cache.js';

/** The program's and the separate library's files, set by the build (packages/launcher/src/bundle.ts). */
declare const __BUNDLE_LAYOUT__: { program: string; library: { id: string; file: string } };
const { program: programFile, library } = __BUNDLE_LAYOUT__;

const baseRequire = createRequire(__filename);
let libraryBundle: LoadedBundle | undefined;

const programRequire = Object.assign(
  (id: string): unknown => {
    if (id !== library.id) return baseRequire(id);
    libraryBundle ??= loadCommonJs(join(__dirname, library.file), baseRequire);
    return libraryBundle.exports;
  },
  { resolve: baseRequire.resolve, cache: baseRequire.cache, main: undefined, extensions: baseRequire.extensions },
) as NodeJS.Require;

const hook: CodeCacheHook = {
  outcome: 'absent',
  save: () => [program, libraryBundle].filter((bundle) => bundle?.saveCache()).length,
};
(globalThis as Record<symbol, unknown>)[CODE_CACHE_HOOK] = hook;
const program = loadCommonJs(join(__dirname, programFile), programRequire);
hook.outcome = program.outcome;
