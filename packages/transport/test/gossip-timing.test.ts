// memberlist's timing rules that depend on the cluster's size.

import { describe, expect, it } from 'vitest';
import { pushPullScaledMs } from '../src/gossip/timing.js';

describe('pushPullScaledMs (memberlist pushPullScale)', () => {
  it('keeps the configured interval up to 32 members', () => {
    expect(pushPullScaledMs(30_000, 1)).toBe(30_000);
    expect(pushPullScaledMs(30_000, 32)).toBe(30_000);
  });

  it('grows with log2 of the members beyond 32, as memberlist does', () => {
    // ceil(log2(n) - log2(32)) + 1
    expect(pushPullScaledMs(30_000, 33)).toBe(60_000);
    expect(pushPullScaledMs(30_000, 64)).toBe(60_000);
    expect(pushPullScaledMs(30_000, 100)).toBe(90_000);
    expect(pushPullScaledMs(30_000, 200)).toBe(120_000);
    expect(pushPullScaledMs(30_000, 1000)).toBe(180_000);
  });
});
