// Loads a CommonJS bundle through V8's code cache.
//
// Why: without a cache, every node process parses and compiles the same JavaScript again, and
// that was ~40 % of a worker's CPU from spawn to Ready (perf, 10-node `up`). Node 20 has no compile
// cache for ES modules (`module.enableCompileCache` came in Node 22), but `vm.Script` accepts V8's
// cached data. So the node program is bundled as CommonJS and compiled here with the cache that an
// earlier node wrote after it had run a while: the cache then holds every function that node
// compiled, not just the top level.
//
// A cache file is keyed by the Node version, the process's flags (V8 refuses a cache made under
// other flags, and workers run with --lite-mode) and the source's hash, and carries a checksum of
// its own: V8 checks only the source length and its flags in release builds, so a damaged file
// must never reach it. A missing, damaged or refused cache only costs the compile.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** What happened to the cache when the bundle was compiled. */
export type CacheOutcome = 'accepted' | 'rejected' | 'absent';

export interface LoadedBundle {
  exports: unknown;
  outcome: CacheOutcome;
  /** Where this bundle's cache is read from and written to. */
  cacheFile: string;
  /** Writes this bundle's cache unless it was accepted or written already (the functions compiled so far go in it); true if written. */
  saveCache(): boolean;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

/** Flags that change what V8 compiles; the snapshot's path is the same for the same flags anyway. */
function cacheRelevantFlags(execArgv: string[]): string[] {
  return execArgv.filter((a, i) => a !== '--snapshot-blob' && execArgv[i - 1] !== '--snapshot-blob' && !a.startsWith('--snapshot-blob='));
}

export function cacheFileFor(file: string, source: string, execArgv: string[]): string {
  const key = sha256(JSON.stringify([process.version, process.arch, cacheRelevantFlags(execArgv), sha256(source).toString('hex')]))
    .toString('hex')
    .slice(0, 20);
  return join(dirname(file), 'code-cache', `${basename(file)}-${key}.bin`);
}

/** The cached data, or undefined if the file is missing or does not match its checksum. */
export function readCache(path: string): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  if (file.length <= 32) return undefined;
  const data = file.subarray(32);
  return sha256(data).equals(file.subarray(0, 32)) ? data : undefined;
}

/** Written whole or not at all (rename): many nodes may write the same cache at once. False if it could not be. */
export function writeCache(path: string, data: Uint8Array): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, Buffer.concat([sha256(data), data]));
    renameSync(tmp, path);
    return true;
  } catch {
    // A read-only or full disk only means the next node compiles again.
    rmSync(tmp, { force: true });
    return false;
  }
}

/**
 * Node's CommonJS wrapper. The build writes the node's bundles already wrapped in it
 * (packages/launcher/src/bundle.ts), so that their source is compiled as read: one copy of it in
 * the process, not three (the file's text, the text with its hashbang blanked, the wrapped text),
 * two of which would sit as garbage until V8's first full collection (1.4 MB in every worker
 * just after it joined).
 */
export const COMMONJS_WRAPPER = { head: '(function (exports, require, module, __filename, __dirname) {', tail: '\n})' } as const;

/**
 * A bundle's source as it is compiled (and its cache keyed): a hashbang, not valid inside the
 * function wrapper, is blanked in the bytes read (same length, same positions); a file not
 * already wrapped is wrapped.
 */
export function readBundleSource(file: string): string {
  const bytes = readFileSync(file);
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    const eol = bytes.indexOf(0x0a);
    bytes.fill(0x20, 0, eol === -1 ? bytes.length : eol);
  }
  const text = bytes.toString('utf8');
  const start = /\S/.exec(text)?.index ?? 0;
  return text.startsWith(COMMONJS_WRAPPER.head, start) ? text : `${COMMONJS_WRAPPER.head}${text}${COMMONJS_WRAPPER.tail}`;
}

/** Runs a CommonJS file as Node would (module, exports, require, __filename, __dirname), compiled with its cache. */
export function loadCommonJs(file: string, requireFn: NodeJS.Require): LoadedBundle {
  const source = readBundleSource(file);
  const cacheFile = cacheFileFor(file, source, process.execArgv);
  const cached = readCache(cacheFile);
  const script = new Script(source, { filename: file, cachedData: cached });
  const outcome: CacheOutcome = cached === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, requireFn, module, file, dirname(file));
  module.loaded = true;
  let saved = outcome === 'accepted';
  return {
    exports: module.exports,
    outcome,
    cacheFile,
    saveCache() {
      if (saved) return false;
      saved = true;
      return writeCache(cacheFile, script.createCachedData());
    },
  };
}

/** How the program asks its loader to save the caches (boot.ts sets it; absent when run from source). */
export const CODE_CACHE_HOOK = Symbol.for('swarmlab.codeCache');

export interface CodeCacheHook {
  /** The main bundle's cache outcome at start. */
  outcome: CacheOutcome;
  /** Saves every loaded bundle's cache that was not accepted; returns how many were written. */
  save(): number;
}

export function codeCacheHook(): CodeCacheHook | undefined {
  return (globalThis as Record<symbol, unknown>)[CODE_CACHE_HOOK] as CodeCacheHook | undefined;
}
