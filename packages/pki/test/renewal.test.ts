import { describe, expect, it } from 'vitest';
import { renewalTime } from '../src/index.js';

const MINUTE = 60_000;
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date(notBefore.getTime() + 2161 * 60 * MINUTE); // 90 days + the 1 h backdate
const lifetime = notAfter.getTime() - notBefore.getTime();

describe('renewalTime', () => {
  it('lies between 50% and 80% of the lifetime, counted from NotBefore', () => {
    for (let i = 0; i < 1000; i++) {
      const at = renewalTime(notBefore, notAfter).getTime() - notBefore.getTime();
      expect(at).toBeGreaterThanOrEqual(Math.trunc((lifetime / MINUTE) * 0.5) * MINUTE);
      expect(at).toBeLessThan(Math.trunc((lifetime / MINUTE) * 0.8) * MINUTE);
    }
  });

  it('is at minute granularity', () => {
    for (let i = 0; i < 100; i++) {
      expect((renewalTime(notBefore, notAfter).getTime() - notBefore.getTime()) % MINUTE).toBe(0);
    }
  });

  it('maps the random source onto the window edges', () => {
    expect(renewalTime(notBefore, notAfter, () => 0).getTime() - notBefore.getTime()).toBe(64830 * MINUTE);
    expect(renewalTime(notBefore, notAfter, () => 0.999999999).getTime() - notBefore.getTime()).toBe(103727 * MINUTE);
    // 129660 min lifetime: 50% = 64830, 80% = 103728 (exclusive), like Go's rand.Intn(max-min)+min.
  });

  it('uses the lower bound when the window is under a minute', () => {
    const shortAfter = new Date(notBefore.getTime() + 2 * MINUTE);
    expect(renewalTime(notBefore, shortAfter, () => 0.9).getTime()).toBe(notBefore.getTime() + MINUTE);
  });

  it('keeps a misbehaving random source inside the window', () => {
    const low = renewalTime(notBefore, notAfter, () => -3).getTime();
    const high = renewalTime(notBefore, notAfter, () => 7).getTime();
    const nan = renewalTime(notBefore, notAfter, () => Number.NaN).getTime();
    for (const at of [low, high, nan]) {
      expect(at).toBeGreaterThanOrEqual(notBefore.getTime() + 64830 * MINUTE);
      expect(at).toBeLessThan(notBefore.getTime() + 103728 * MINUTE);
    }
  });

  it('refuses invalid dates', () => {
    expect(() => renewalTime(new Date('nope'), notAfter)).toThrow(/notBefore must be a valid Date/);
  });
});
