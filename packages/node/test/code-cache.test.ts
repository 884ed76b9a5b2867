// The node program is compiled with V8's code cache (boot/code-cache.ts). Each load runs in a
// child process of its own, as a node does: a cache written by one process is accepted by the
// next; a damaged file, or one V8 refuses (other flags), costs only the compile, and the program
// runs the same either way.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheFileFor, COMMONJS_WRAPPER, readBundleSource } from '../src/boot/code-cache.js';
import { runChildModule } from './helpers/child-module.js';

const moduleUrl = new URL('../src/boot/code-cache.ts', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'code-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A program with a hashbang (as the node's entry has) and functions that run, so they are compiled into the cache.
const bundle = join(dir, 'program.cjs');
writeFileSync(
  bundle,
  `#!/usr/bin/env node
const { createHash } = require('node:crypto');
function square(x) { return x * x; }
function digest(s) { return createHash('sha256').update(s).digest('hex').slice(0, 8); }
module.exports = { answer: square(6) + digest('swarmlab').length - 2, file: __filename, isMain: typeof module.exports === 'object' };
`,
);

// Loads the program, saves its cache if asked, and reports what happened.
const CHILD = `
import { createRequire } from 'node:module';
const { loadCommonJs } = await import(process.env.CODE_CACHE_MODULE);
const loaded = loadCommonJs(process.env.BUNDLE, createRequire(process.env.BUNDLE));
const saved = process.env.SAVE ? loaded.saveCache() : undefined;
process.stdout.write(JSON.stringify({ outcome: loaded.outcome, exports: loaded.exports, saved, cacheFile: loaded.cacheFile }));
`;

interface Loaded {
  outcome: string;
  exports: { answer: number; file: string };
  saved?: boolean;
  cacheFile: string;
}

const load = (opts: { save?: boolean; flags?: string[]; file?: string } = {}) =>
  runChildModule<Loaded>(CHILD, { CODE_CACHE_MODULE: moduleUrl, BUNDLE: opts.file ?? bundle, ...(opts.save ? { SAVE: '1' } : {}) }, opts.flags);

const cacheFiles = () => readdirSync(join(dir, 'code-cache')).filter((f) => f.endsWith('.bin'));

describe('the code cache', () => {
  it('is written by one process and accepted by the next, which runs the same program', async () => {
    const first = await load({ save: true });
    expect(first).toMatchObject({ outcome: 'absent', saved: true, exports: { answer: 42, file: bundle } });
    expect(cacheFiles()).toHaveLength(1);
    const second = await load({ save: true });
    expect(second).toMatchObject({ outcome: 'accepted', saved: false, exports: first.exports });
  });

  it('is kept per flag set and per source', () => {
    const source = readBundleSource(bundle);
    const plain = cacheFileFor(bundle, source, []);
    expect(cacheFileFor(bundle, source, ['--snapshot-blob', '/x/a.blob'])).toBe(plain);
    expect(cacheFileFor(bundle, source, ['--lite-mode'])).not.toBe(plain);
    expect(cacheFileFor(bundle, `${source} `, [])).not.toBe(plain);
  });

  it('compiles a program the build wrapped already as it is read, hashbang blanked', async () => {
    const plainText = readFileSync(bundle, 'utf8');
    const wrapped = join(dir, 'wrapped.cjs');
    const [hashbang, ...body] = plainText.split('\n');
    writeFileSync(wrapped, `${hashbang}\n${COMMONJS_WRAPPER.head}\n${body.join('\n')}${COMMONJS_WRAPPER.tail}\n`);
    const source = readBundleSource(wrapped);
    expect(source).toBe(readFileSync(wrapped, 'utf8').replace(hashbang, ' '.repeat(hashbang.length)));
    expect(await load({ file: wrapped })).toMatchObject({ outcome: 'absent', exports: { answer: 42, file: wrapped } });
    // A plain CommonJS file is wrapped, its positions kept.
    expect(readBundleSource(bundle)).toBe(`${COMMONJS_WRAPPER.head}${' '.repeat(hashbang.length)}\n${body.join('\n')}${COMMONJS_WRAPPER.tail}`);
  });

  it('is not used when damaged: the program compiles and runs', async () => {
    const file = join(dir, 'code-cache', cacheFiles()[0]);
    const data = readFileSync(file);
    data[data.length >> 1] ^= 0xff;
    writeFileSync(file, data);
    expect(await load()).toMatchObject({ outcome: 'absent', exports: { answer: 42 } });
    writeFileSync(file, data.subarray(0, 10));
    expect(await load()).toMatchObject({ outcome: 'absent', exports: { answer: 42 } });
  });

  it('refused by V8 (made under other flags) costs only the compile', async () => {
    rmSync(join(dir, 'code-cache'), { recursive: true, force: true });
    // Made by a process with another V8 flag, then put where a process without it looks.
    const made = await load({ save: true, flags: ['--max-semi-space-size=1'] });
    const plain = await load();
    expect(plain.cacheFile).not.toBe(made.cacheFile);
    writeFileSync(plain.cacheFile, readFileSync(made.cacheFile));
    expect(await load()).toMatchObject({ outcome: 'rejected', exports: { answer: 42 } });
  });
});
