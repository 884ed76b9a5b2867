import { describe, expect, it } from 'vitest';
import { isIdentityId, newIdentityId } from '../src/index.js';

describe('newIdentityId', () => {
  it('is 25 lowercase base36 characters, like SwarmKit identity.NewID', () => {
    for (let i = 0; i < 500; i++) {
      const id = newIdentityId();
      expect(id).toMatch(/^[0-9a-z]{25}$/);
      expect(isIdentityId(id)).toBe(true);
    }
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newIdentityId()));
    expect(ids.size).toBe(2000);
  });

  it('matches the shape of real Docker node IDs', () => {
    for (const real of ['dw02poa4vqvzxi5c10gm4pq2g', 'vq89rxodqjgde9h3lug178dm9', 'kkbjzxoxv5e3832ti8a0oyyff']) {
      expect(isIdentityId(real)).toBe(true);
    }
    expect(isIdentityId('DW02POA4VQVZXI5C10GM4PQ2G')).toBe(false);
    expect(isIdentityId('dw02poa4vqvzxi5c10gm4pq2')).toBe(false);
  });
});
