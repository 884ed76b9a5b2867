// The at-rest scan: secrets found raw, base64-encoded on their own or inside longer base64 text,
// across read-chunk boundaries, in nested folders — and never printed in the evidence.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanAtRest, type AtRestFinding } from '../src/index.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'chaos-at-rest-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const secret = { name: 'db-password', value: Buffer.from('correct horse battery staple') };
const findingsOf = (r: { evidence?: unknown }) => (r.evidence as { findings: AtRestFinding[] }).findings;

describe('scanAtRest', () => {
  it('a state directory without the secret is valid', async () => {
    mkdirSync(join(root, 'node1', 'raft'), { recursive: true });
    writeFileSync(join(root, 'node1', 'raft', 'wal-0001'), Buffer.from('encrypted: 8f2a9c...'));
    writeFileSync(join(root, 'node1', 'state.json'), JSON.stringify({ secret: 'correct horse' }));
    const r = await scanAtRest([root], [secret]);
    expect(r.verdict).toBe('valid');
    expect(r.stats).toMatchObject({ files: 2, secrets: 1, findings: 0 });
  });

  it('finds a plaintext copy and a base64 copy, with file and offset but not the secret', async () => {
    mkdirSync(join(root, 'node2', 'store'), { recursive: true });
    const plain = Buffer.concat([Buffer.from('header--'), secret.value, Buffer.from('--trailer')]);
    writeFileSync(join(root, 'node2', 'store', 'snapshot.bin'), plain);
    const json = JSON.stringify({ Spec: { Name: 'db-password' }, Data: secret.value.toString('base64') });
    writeFileSync(join(root, 'node2', 'secrets.json'), json);
    const r = await scanAtRest([root], [secret]);
    expect(r.verdict).toBe('invalid');
    const found = findingsOf(r).map((f) => ({ ...f, file: f.file.slice(root.length) }));
    expect(found).toEqual([
      { file: '/node2/secrets.json', offset: json.indexOf(secret.value.toString('base64')), secret: 'db-password', encoding: 'base64' },
      { file: '/node2/store/snapshot.bin', offset: 8, secret: 'db-password', encoding: 'raw' },
    ]);
    const printed = JSON.stringify(r);
    expect(printed).not.toContain(secret.value.toString());
    expect(printed).not.toContain(secret.value.toString('base64'));
  });

  it('finds the secret inside a longer base64 text at every byte alignment', async () => {
    for (const lead of [0, 1, 2]) {
      const blob = Buffer.concat([Buffer.alloc(10 + lead, 'a'), secret.value, Buffer.from('tail')]).toString('base64');
      writeFileSync(join(root, `entry-${lead}.b64`), blob);
    }
    const r = await scanAtRest([root], [secret]);
    expect(r.verdict).toBe('invalid');
    expect(findingsOf(r).map((f) => f.file.slice(root.length + 1)).sort()).toEqual(['entry-0.b64', 'entry-1.b64', 'entry-2.b64']);
  });

  it('finds a copy that straddles the 1 MiB read boundary, and reports its true offset', async () => {
    const at = (1 << 20) - 7;
    const big = Buffer.alloc(3 << 20, 0x2e);
    secret.value.copy(big, at);
    writeFileSync(join(root, 'big.log'), big);
    const r = await scanAtRest([root], [secret]);
    expect(findingsOf(r)).toEqual([{ file: join(root, 'big.log'), offset: at, secret: 'db-password', encoding: 'raw' }]);
  });

  it('counts every copy once, also when copies repeat across read chunks', async () => {
    const copies = 5;
    const parts = Array.from({ length: copies }, (_, i) => Buffer.concat([Buffer.alloc(300_000 + i, 0x20), secret.value]));
    writeFileSync(join(root, 'wal'), Buffer.concat(parts));
    const r = await scanAtRest([root], [secret]);
    expect(r.stats).toMatchObject({ findings: copies });
    expect((r.evidence as { total: number }).total).toBe(copies);
  });

  it('does not follow symlinks out of the state directory', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'chaos-at-rest-outside-'));
    try {
      writeFileSync(join(outside, 'leak'), secret.value);
      symlinkSync(outside, join(root, 'link'));
      expect((await scanAtRest([root], [secret])).verdict).toBe('valid');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a missing state directory leaves the verdict unknown', async () => {
    const r = await scanAtRest([join(root, 'nope')], [secret]);
    expect(r.verdict).toBe('unknown');
    expect(r.evidence).toEqual({ missingRoots: [join(root, 'nope')], unreadable: [] });
  });

  it('refuses a secret too short to search for without false matches', async () => {
    await expect(scanAtRest([root], [{ name: 'tiny', value: Buffer.from('abc') }])).rejects.toThrow('secret "tiny": a value of at least 8 bytes is needed');
  });
});
