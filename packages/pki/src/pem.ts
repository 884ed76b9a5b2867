// PEM <-> DER and PKCS#8 key conversion, on top of Node's KeyObject so any
// well-formed key PEM (PKCS#8 or SEC1 "EC PRIVATE KEY") is accepted.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { subtle, EC_KEY_ALGORITHM } from './algorithms.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  /** RFC 1421 headers ("raft-dek: …", "kek-version: …"), as SwarmKit keeps them in swarm-node.key. */
  headers: Record<string, string>;
  der: Buffer;
}

/** Splits a PEM bundle into its blocks, in order, with their headers. */
export function decodePemBlocks(pem: string): PemBlock[] {
  if (typeof pem !== 'string') throw new PkiError('PEM input must be a string');
  const blocks: PemBlock[] = [];
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const headers: Record<string, string> = {};
    const body: string[] = [];
    for (const line of match[2].split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      else if (line.trim().length > 0) body.push(line.trim());
    }
    blocks.push({ label: match[1], headers, der: Buffer.from(body.join(''), 'base64') });
  }
  return blocks;
}

/** Encodes one PEM block; headers are written sorted, like Go's pem.Encode. */
export function encodePem(label: string, der: ArrayBuffer | Uint8Array, headers: Record<string, string> = {}): string {
  const bytes = der instanceof ArrayBuffer ? Buffer.from(der) : Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < b64.length; at += 64) lines.push(b64.slice(at, at + 64));
  const headerNames = Object.keys(headers).sort();
  for (const name of headerNames) {
    if (name.includes(':') || /[\r\n]/.test(name + headers[name])) throw new PkiError(`invalid PEM header ${JSON.stringify(name)}`);
  }
  const headerText = headerNames.length > 0 ? headerNames.map((n) => `${n}: ${headers[n]}\n`).join('') + '\n' : '';
  return `-----BEGIN ${label}-----\n${headerText}${lines.join('\n')}${lines.length > 0 ? '\n' : ''}-----END ${label}-----\n`;
}

/** The DER of every CERTIFICATE block of a bundle; throws when there is none. */
export function certificateDersFromPem(pem: string): Buffer[] {
  const ders = decodePemBlocks(pem)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
  if (ders.length === 0) throw new PkiError('no CERTIFICATE block found in PEM');
  return ders;
}

export function privateKeyObjectFromPem(keyPem: string): KeyObject {
  try {
    return createPrivateKey({ key: keyPem, format: 'pem' });
  } catch (err) {
    throw new PkiError(`invalid private key PEM: ${(err as Error).message}`, { cause: err });
  }
}

/** Checks that a private key is ECDSA P-256, the only key type SwarmKit issues. */
export function assertP256(key: KeyObject, what: string): void {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new PkiError(`${what} must be an ECDSA P-256 key, got ${key.asymmetricKeyType ?? 'unknown'} ${details?.namedCurve ?? ''}`.trim());
  }
}

/** Imports a PEM private key as a WebCrypto signing key (PKCS#8 is what WebCrypto takes). */
export async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const keyObject = privateKeyObjectFromPem(keyPem);
  assertP256(keyObject, 'private key');
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  return subtle.importKey('pkcs8', pkcs8, EC_KEY_ALGORITHM, false, ['sign']);
}

export async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  return encodePem('PRIVATE KEY', await subtle.exportKey('pkcs8', key));
}

/** The SPKI DER of the public half of a private key. */
export function publicSpkiFromPrivatePem(keyPem: string): Buffer {
  return createPublicKey(privateKeyObjectFromPem(keyPem)).export({ format: 'der', type: 'spki' });
}

/** A standalone ArrayBuffer copy of some bytes (what @peculiar/x509's parsers take). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
