import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the openssl CLI with `input` on stdin and returns stdout. */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `openssl verify` of `leafPem` against `rootPem`, with optional untrusted intermediates; returns true on "OK". */
export function opensslVerifies(rootPem: string, leafPem: string, untrustedPem?: string, atTime?: Date): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'pki-verify-'));
  try {
    const root = join(dir, 'root.pem');
    const leaf = join(dir, 'leaf.pem');
    writeFileSync(root, rootPem);
    writeFileSync(leaf, leafPem);
    const args = ['verify', '-CAfile', root];
    if (atTime) args.push('-attime', String(Math.floor(atTime.getTime() / 1000)));
    if (untrustedPem) {
      const untrusted = join(dir, 'untrusted.pem');
      writeFileSync(untrusted, untrustedPem);
      args.push('-untrusted', untrusted);
    }
    args.push(leaf);
    try {
      return openssl(args).trim().endsWith(': OK');
    } catch {
      return false;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses openssl's "Mon DD HH:MM:SS YYYY GMT" date. */
export function opensslDate(text: string): Date {
  return new Date(text.replace(/\s+/g, ' ').trim());
}
