import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createNodeKeyAndCSR,
  decodePemBlocks,
  decryptPrivateKeyPem,
  encryptPrivateKeyPem,
  generateKek,
  isEncryptedPrivateKeyPem,
  PkiError,
} from '../src/index.js';
import { openssl } from './helpers.js';

function samePrivateKey(a: string, b: string): boolean {
  const der = (pem: string) => createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return der(a).equals(der(b));
}

describe('encryptPrivateKeyPem / decryptPrivateKeyPem', () => {
  it('round-trips under a raw 32-byte KEK', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    const kek = generateKek();
    const encrypted = encryptPrivateKeyPem(keyPem, kek);
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(isEncryptedPrivateKeyPem(encrypted)).toBe(true);
    expect(isEncryptedPrivateKeyPem(keyPem)).toBe(false);
    const decrypted = decryptPrivateKeyPem(encrypted, kek);
    expect(decrypted).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(samePrivateKey(decrypted, keyPem)).toBe(true);
  });

  it('uses SwarmKit parameters: PBES2, PBKDF2-HMAC-SHA1, 2048 iterations, 8-byte salt, AES-256-CBC', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    const encrypted = encryptPrivateKeyPem(keyPem, 'passphrase');
    const text = openssl(['asn1parse'], encrypted);
    expect(text).toContain(':PBES2');
    expect(text).toContain(':PBKDF2');
    expect(text).toContain(':aes-256-cbc');
    expect(text).not.toContain('hmacWithSHA256'); // default PRF = HMAC-SHA1, so not written
    expect(text).toMatch(/\[HEX DUMP\]:[0-9A-F]{16}\n/); // the 8-byte salt
    expect(text).toMatch(/INTEGER\s+:0800\n/); // 2048 iterations
    // OpenSSL itself can decrypt it.
    const viaOpenssl = openssl(['pkey', '-passin', 'pass:passphrase'], encrypted);
    expect(samePrivateKey(viaOpenssl, keyPem)).toBe(true);
  });

  it('accepts string and buffer passphrases alike', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    const encrypted = encryptPrivateKeyPem(keyPem, 'secret');
    expect(samePrivateKey(decryptPrivateKeyPem(encrypted, Buffer.from('secret')), keyPem)).toBe(true);
  });

  it('keeps PEM headers such as raft-dek and kek-version', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    const kek = generateKek();
    const encrypted = encryptPrivateKeyPem(keyPem, kek, { 'raft-dek': 'AAECAw==', 'kek-version': '7' });
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\nkek-version: 7\nraft-dek: AAECAw==\n\n/);
    expect(decodePemBlocks(encrypted)[0].headers).toEqual({ 'raft-dek': 'AAECAw==', 'kek-version': '7' });
    expect(samePrivateKey(decryptPrivateKeyPem(encrypted, kek), keyPem)).toBe(true);
  });

  it('throws a clear error with the wrong passphrase', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    const encrypted = encryptPrivateKeyPem(keyPem, generateKek());
    for (let i = 0; i < 20; i++) {
      let error: unknown;
      try {
        decryptPrivateKeyPem(encrypted, generateKek());
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PkiError);
      expect((error as PkiError).code).toBe('INVALID_KEK');
      expect((error as PkiError).message).toBe('unable to decrypt private key: invalid key provided');
    }
  });

  it('refuses bad input clearly', async () => {
    const { keyPem } = await createNodeKeyAndCSR();
    expect(() => decryptPrivateKeyPem(keyPem, 'x')).toThrow(/no ENCRYPTED PRIVATE KEY block/);
    expect(() => encryptPrivateKeyPem('nope', 'x')).toThrow(/invalid private key PEM/);
    expect(() => encryptPrivateKeyPem(keyPem, '')).toThrow(/passphrase must not be empty/);
  });
});
