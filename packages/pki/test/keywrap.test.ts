import { describe, expect, it } from 'vitest';
import {
  decryptWithKey,
  encryptWithKey,
  generateDataEncryptionKey,
  generateKek,
  PkiError,
  unwrapKey,
  wrapKey,
} from '../src/index.js';

function thrown(fn: () => unknown): PkiError {
  try {
    fn();
  } catch (err) {
    return err as PkiError;
  }
  throw new Error('expected a throw');
}

describe('wrapKey / unwrapKey', () => {
  it('round-trips a data key under the KEK', () => {
    const kek = generateKek();
    const dek = generateDataEncryptionKey();
    const wrapped = wrapKey(kek, dek);
    expect(wrapped.includes(dek)).toBe(false);
    expect(unwrapKey(kek, wrapped).equals(dek)).toBe(true);
  });

  it('wraps with a fresh nonce each time', () => {
    const kek = generateKek();
    const dek = generateDataEncryptionKey();
    expect(wrapKey(kek, dek).equals(wrapKey(kek, dek))).toBe(false);
  });

  it('throws a clear error with the wrong KEK, never garbage', () => {
    const wrapped = wrapKey(generateKek(), generateDataEncryptionKey());
    const err = thrown(() => unwrapKey(generateKek(), wrapped));
    expect(err).toBeInstanceOf(PkiError);
    expect(err.code).toBe('INVALID_KEK');
    expect(err.message).toMatch(/invalid key provided/);
    expect(thrown(() => unwrapKey(Buffer.alloc(7), wrapped)).code).toBe('INVALID_KEK');
  });

  it('detects any altered byte', () => {
    const kek = generateKek();
    const wrapped = wrapKey(kek, generateDataEncryptionKey());
    for (const at of [1, 13, 20, wrapped.length - 1]) {
      const copy = Buffer.from(wrapped);
      copy[at] ^= 0x01;
      expect(thrown(() => unwrapKey(kek, copy)).code).toBe('INVALID_KEK');
    }
    expect(thrown(() => unwrapKey(kek, wrapped.subarray(0, 10))).message).toMatch(/truncated/);
  });

  it('does not unwrap data sealed for another purpose', () => {
    const kek = generateKek();
    const sealed = encryptWithKey(kek, generateDataEncryptionKey());
    expect(thrown(() => unwrapKey(kek, sealed)).code).toBe('INVALID_KEK');
  });

  it('refuses a KEK of the wrong size and an empty data key', () => {
    expect(() => wrapKey(Buffer.alloc(16), generateDataEncryptionKey())).toThrow(/KEK must be 32 bytes/);
    expect(() => wrapKey(generateKek(), Buffer.alloc(0))).toThrow(/data key must be a non-empty buffer/);
  });
});

describe('encryptWithKey / decryptWithKey', () => {
  it('round-trips records, authenticating the associated data', () => {
    const dek = generateDataEncryptionKey();
    const record = Buffer.from('raft entry payload');
    const aad = Buffer.from('index=42');
    const sealed = encryptWithKey(dek, record, aad);
    expect(decryptWithKey(dek, sealed, aad).equals(record)).toBe(true);
    expect(thrown(() => decryptWithKey(dek, sealed, Buffer.from('index=43'))).code).toBe('INVALID_KEK');
    expect(decryptWithKey(dek, encryptWithKey(dek, Buffer.alloc(0))).length).toBe(0);
  });
});
