// Docker's timestamp format, as toDockerTime writes it (it reuses the text of the last whole
// millisecond, so calls within one millisecond and across boundaries must both come out right).

import { describe, expect, it } from 'vitest';
import { EmulatedClock, toDockerTime } from '../src/clock.js';

const reference = (ms: number) => {
  const frac = Math.min(999_999, Math.round((ms - Math.floor(ms)) * 1e6));
  return `${new Date(Math.floor(ms)).toISOString().slice(0, 23)}${String(frac).padStart(6, '0')}Z`;
};

describe('toDockerTime', () => {
  it('writes RFC 3339 with nanoseconds', () => {
    // Doubles near 1.8e12 ms resolve ~240 ns: fractions of a power of two are exact.
    expect(toDockerTime(Date.UTC(2026, 10, 26, 10, 24, 56, 123) + 0.375)).toBe('2026-11-26T10:24:56.123375000Z');
    expect(toDockerTime(0)).toBe('1970-01-01T00:00:00.000000000Z');
  });

  it('is right within one millisecond, across millisecond boundaries and back', () => {
    const start = Date.UTC(2026, 10, 27, 23, 59, 59, 998);
    const times = [0, 0.25, 0.999_999, 1, 1.5, 2.000_001, 3, 0.5, 86_400_000.75, 1.25].map((d) => start + d);
    for (const t of times) expect(toDockerTime(t)).toBe(reference(t));
  });

  it('stamps an emulated clock skewed by a fault', () => {
    const clock = new EmulatedClock(1, 0, () => 1_000.5);
    clock.skew(30_000);
    expect(clock.iso()).toBe(reference(31_000.5));
  });
});
