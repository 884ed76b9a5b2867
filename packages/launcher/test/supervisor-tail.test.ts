// tailLines: reading a log to its end, and following it as it grows, across partial writes and
// truncation.

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tailLines } from '../src/supervisor-tail.js';

const dir = mkdtempSync(join(tmpdir(), 'tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

describe('tailLines', () => {
  it('reads every line, blank lines skipped, a last line without newline included', async () => {
    const f = join(dir, 'a.log');
    writeFileSync(f, 'one\n\ntwo\nthree');
    expect(await collect(tailLines(f))).toEqual(['one', 'two', 'three']);
  });

  it('yields nothing for a missing file', async () => {
    expect(await collect(tailLines(join(dir, 'missing.log')))).toEqual([]);
  });

  it('follows appended lines, joins a line written in two parts, and stops when aborted', async () => {
    const f = join(dir, 'b.log');
    writeFileSync(f, 'first\n');
    const abort = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of tailLines(f, { follow: true, signal: abort.signal, pollMs: 10 })) {
        seen.push(line);
        if (line === 'first') appendFileSync(f, 'sec');
        if (line === 'second') abort.abort();
      }
    })();
    // The half line must wait for its end before it is yielded.
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['first']);
    appendFileSync(f, 'ond\n');
    await following;
    expect(seen).toEqual(['first', 'second']);
  });

  it('starts over when the file is truncated', async () => {
    const f = join(dir, 'c.log');
    writeFileSync(f, 'old line one\nold line two\n');
    const abort = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of tailLines(f, { follow: true, signal: abort.signal, pollMs: 10 })) {
        seen.push(line);
        if (line === 'old line two') writeFileSync(f, 'new\n');
        if (line === 'new') abort.abort();
      }
    })();
    await following;
    expect(seen).toEqual(['old line one', 'old line two', 'new']);
  });
});
