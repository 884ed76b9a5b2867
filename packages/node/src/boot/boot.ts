// The node program's entry when it runs from its bundle (packages/node/dist/swarmd.cjs): loads the
// program (swarmd-main.cjs) and, on first use, the X.509 library (x509.cjs) through V8's code cache
// (see code-cache.ts). X.509 is a bundle of its own so that the source of the largest library,
// which only the CA and certificate files need, is not held in every worker's memory.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CODE_CACHE_HOOK, loadCommonJs, type CodeCacheHook, type LoadedBundle } from './code-cache.js';

const baseRequire = createRequire(__filename);
let x509: LoadedBundle | undefined;

const programRequire = Object.assign(
  (id: string): unknown => {
    if (id !== '@peculiar/x509') return baseRequire(id);
    x509 ??= loadCommonJs(join(__dirname, 'x509.cjs'), baseRequire);
    return x509.exports;
  },
  { resolve: baseRequire.resolve, cache: baseRequire.cache, main: undefined, extensions: baseRequire.extensions },
) as NodeJS.Require;

const hook: CodeCacheHook = {
  outcome: 'absent',
  save: () => [program, x509].filter((bundle) => bundle?.saveCache()).length,
};
(globalThis as Record<symbol, unknown>)[CODE_CACHE_HOOK] = hook;
const program = loadCommonJs(join(__dirname, 'swarmd-main.cjs'), programRequire);
hook.outcome = program.outcome;
