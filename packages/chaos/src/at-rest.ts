// At rest: no secret value in plaintext under any node's state directory. Every regular file is
// searched for each secret's raw bytes and its base64 forms — the value encoded on its own, and
// the stable middle of its encoding when it sits inside a longer base64 text at any of the three
// byte alignments (a secret inside a base64-encoded JSON document or log entry). Evidence names
// the file, the offset and the encoding, never the secret.

import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult } from './types.js';

export interface AtRestSecret {
  name: string;
  value: Buffer;
}

export interface AtRestFinding {
  file: string;
  offset: number;
  secret: string;
  encoding: 'raw' | 'base64' | 'base64url' | 'base64 (embedded)' | 'base64url (embedded)';
}

/** Shorter secrets would match by chance in any binary file. */
export const MIN_SECRET_BYTES = 8;
const READ_CHUNK = 1 << 20;
const MAX_FINDINGS_SHOWN = 50;

interface Pattern {
  secret: string;
  encoding: AtRestFinding['encoding'];
  bytes: Buffer;
}

/**
 * The base64 characters that encode `value` whatever precedes it: with k bytes before it
 * (k = 0, 1, 2 mod 3), drop the characters that mix in neighbouring bytes at both ends.
 */
function embeddedBase64(value: Buffer, alphabet: 'base64' | 'base64url'): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < 3; k++) {
    const text = Buffer.concat([Buffer.alloc(k), value]).toString(alphabet).replace(/=+$/, '');
    const start = k === 0 ? 0 : Math.ceil((k * 8) / 6);
    const end = Math.floor(((k + value.length) * 8) / 6);
    if (end - start >= 8) out.push(Buffer.from(text.slice(start, end)));
  }
  return out;
}

function patternsFor(s: AtRestSecret): Pattern[] {
  const out: Pattern[] = [{ secret: s.name, encoding: 'raw', bytes: s.value }];
  const seen = new Set<string>([s.value.toString('latin1')]);
  const add = (encoding: Pattern['encoding'], bytes: Buffer) => {
    const key = bytes.toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ secret: s.name, encoding, bytes });
  };
  add('base64', Buffer.from(s.value.toString('base64')));
  add('base64url', Buffer.from(s.value.toString('base64url')));
  for (const b of embeddedBase64(s.value, 'base64')) add('base64 (embedded)', b);
  for (const b of embeddedBase64(s.value, 'base64url')) add('base64url (embedded)', b);
  return out;
}

interface Walk {
  files: { path: string; size: number }[];
  missingRoots: string[];
  unreadable: string[];
}

async function walk(roots: string[]): Promise<Walk> {
  const out: Walk = { files: [], missingRoots: [], unreadable: [] };
  const visit = async (path: string, isRoot: boolean): Promise<void> => {
    let st;
    try {
      st = await lstat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (isRoot && code === 'ENOENT') out.missingRoots.push(path);
      else if (code !== 'ENOENT') out.unreadable.push(path);
      return;
    }
    // Symlinks are not followed: they could leave the state directory or loop.
    if (st.isFile()) out.files.push({ path, size: st.size });
    else if (st.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(path);
      } catch {
        out.unreadable.push(path);
        return;
      }
      for (const name of names.sort()) await visit(join(path, name), false);
    }
  };
  for (const root of roots) await visit(root, true);
  return out;
}

/** Findings kept for the evidence; beyond this only the count grows (a file could be all secret). */
const MAX_FINDINGS_KEPT = 1000;

interface Findings {
  kept: AtRestFinding[];
  total: number;
}

/** Searches one file chunk by chunk, overlapping chunks so a match across a boundary is found. */
async function scanFile(file: string, patterns: Pattern[], overlap: number, findings: Findings): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(READ_CHUNK + overlap);
    let kept = 0; // bytes carried over from the previous chunk
    let base = 0; // file offset of buf[0]
    // One finding per secret and place: the overlap is searched twice, and a standalone base64
    // copy also matches as an embedded one. Places before the current chunk are forgotten.
    let seen = new Set<string>();
    for (;;) {
      const { bytesRead } = await handle.read(buf, kept, READ_CHUNK, base + kept);
      const len = kept + bytesRead;
      const window = buf.subarray(0, len);
      const next = new Set<string>();
      for (const p of patterns) {
        for (let at = window.indexOf(p.bytes); at !== -1; at = window.indexOf(p.bytes, at + 1)) {
          const id = `${p.secret}\0${base + at}`;
          if (at >= len - overlap) next.add(id);
          if (seen.has(id)) continue;
          seen.add(id);
          findings.total++;
          if (findings.kept.length < MAX_FINDINGS_KEPT) findings.kept.push({ file, offset: base + at, secret: p.secret, encoding: p.encoding });
        }
      }
      if (bytesRead === 0) break;
      seen = next;
      kept = Math.min(overlap, len);
      buf.copy(buf, 0, len - kept, len);
      base += len - kept;
    }
  } finally {
    await handle.close();
  }
}

export async function scanAtRest(roots: string[], secrets: AtRestSecret[]): Promise<CheckResult> {
  for (const s of secrets) {
    if (!Buffer.isBuffer(s.value) || s.value.length < MIN_SECRET_BYTES) {
      throw new RangeError(`secret "${s.name}": a value of at least ${MIN_SECRET_BYTES} bytes is needed to search for it without false matches`);
    }
  }
  const started = performance.now();
  const patterns = secrets.flatMap(patternsFor);
  const overlap = Math.max(0, ...patterns.map((p) => p.bytes.length - 1));
  const { files, missingRoots, unreadable } = await walk(roots);
  const findings: Findings = { kept: [], total: 0 };
  let bytes = 0;
  for (const file of files) {
    try {
      await scanFile(file.path, patterns, overlap, findings);
      bytes += file.size;
    } catch (e) {
      // A file removed while we walked was not at rest; anything else leaves a blind spot.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(file.path);
    }
  }
  const stats = { roots: roots.length, files: files.length, bytes, secrets: secrets.length, findings: findings.total, unreadable: unreadable.length, ms: Math.round(performance.now() - started) };
  if (findings.total > 0) {
    const filesHit = new Set(findings.kept.map((f) => f.file)).size;
    const f = findings.kept[0];
    const more = findings.total > 1 ? `; ${findings.total} findings in ${filesHit}${findings.total > findings.kept.length ? '+' : ''} file(s)` : '';
    return {
      name: 'at-rest',
      verdict: 'invalid',
      summary: `secret "${f.secret}" found at rest (${f.encoding}) in ${f.file} at byte ${f.offset}${more}`,
      evidence: { findings: findings.kept.slice(0, MAX_FINDINGS_SHOWN), total: findings.total },
      stats,
    };
  }
  if (roots.length === 0 || missingRoots.length > 0 || unreadable.length > 0) {
    const why = roots.length === 0 ? 'no state directory was given' : missingRoots.length > 0 ? `${missingRoots.length} state director(ies) missing` : `${unreadable.length} path(s) could not be read`;
    return { name: 'at-rest', verdict: 'unknown', summary: `no secret found, but ${why}`, evidence: { missingRoots, unreadable: unreadable.slice(0, MAX_FINDINGS_SHOWN) }, stats };
  }
  return { name: 'at-rest', verdict: 'valid', summary: `no secret at rest: ${secrets.length} secret(s) searched in ${files.length} file(s) (${bytes.toLocaleString('en-US')} bytes)`, stats };
}
