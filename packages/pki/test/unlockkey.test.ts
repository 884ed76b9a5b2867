import { describe, expect, it } from 'vitest';
import { formatUnlockKey, generateKek, generateUnlockKey, parseUnlockKey, PkiError } from '../src/index.js';
import { realSwarm } from './fixtures.js';

describe('unlock keys', () => {
  it('look like SWMKEY-1- followed by 43 unpadded base64 characters', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateUnlockKey();
      expect(key).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
      expect(parseUnlockKey(key)).toHaveLength(32);
    }
  });

  it('round-trip the raw KEK bytes', () => {
    const kek = generateKek();
    expect(kek).toHaveLength(32);
    expect(parseUnlockKey(formatUnlockKey(kek)).equals(kek)).toBe(true);
  });

  it('parse a real Docker unlock key to 32 bytes and print it back identically', () => {
    const bytes = parseUnlockKey(realSwarm.unlockKey);
    expect(bytes).toHaveLength(32);
    expect(formatUnlockKey(bytes)).toBe(realSwarm.unlockKey);
  });

  it.each([
    ['no prefix', 'ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqxLTmRo'],
    ['wrong version', 'SWMKEY-2-ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqxLTmRo'],
    ['lowercase prefix', 'swmkey-1-ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqxLTmRo'],
    ['padding', 'SWMKEY-1-ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqxLTmRo='],
    ['bad characters', 'SWMKEY-1-ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqx*TmRo'],
    ['url-safe alphabet', 'SWMKEY-1-ILAFPJV06o462nghYSN-b0kN5D68_QkS5OUBqxLTmRo'],
    ['impossible length', 'SWMKEY-1-ILAFP'],
    ['empty body', 'SWMKEY-1-'],
  ])('rejects a key with %s as "invalid key string"', (_why, text) => {
    let error: unknown;
    try {
      parseUnlockKey(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).message).toBe('invalid key string');
    expect((error as PkiError).code).toBe('INVALID_UNLOCK_KEY');
  });

  it('rejects non-strings without crashing', () => {
    expect(() => parseUnlockKey(undefined as unknown as string)).toThrow('invalid key string');
  });
});
