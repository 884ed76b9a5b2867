// Big-integer text encodings shared by identity IDs and join tokens (Go's big.Int.Text / SetString),
// and the sha256 hex digest join tokens and root CA digests are made of.

import { createHash } from 'node:crypto';

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

/** Go's fmt "%0*s": left-pads with '0' to at least `width` characters. */
export function padLeft(text: string, width: number): string {
  return text.padStart(width, '0');
}

const BASE36 = /^[0-9a-z]+$/i;

/** Parses base36 like Go's big.Int.SetString(s, 36) (case-insensitive); null when not base36. */
export function parseBase36(text: string): bigint | null {
  if (!BASE36.test(text)) return null;
  let value = 0n;
  for (const ch of text.toLowerCase()) value = value * 36n + BigInt(parseInt(ch, 36));
  return value;
}
