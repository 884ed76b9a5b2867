// Node starts paced to the machine's spare CPU (src/cpu-headroom.ts), on a fake /proc/stat and fake timers.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CpuHeadroom, cpuJiffies } from '../src/cpu-headroom.js';

describe('cpuJiffies', () => {
  it('reads busy and total jiffies from the first line of /proc/stat (idle and iowait are not busy)', () => {
    expect(cpuJiffies('cpu  100 5 50 800 10 3 2 0 7 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 160, total: 970 });
  });

  it('gives undefined for text that is not /proc/stat', () => {
    expect(cpuJiffies('')).toBeUndefined();
    expect(cpuJiffies('intr 1 2 3')).toBeUndefined();
    expect(cpuJiffies('cpu  a b c d')).toBeUndefined();
  });
});

describe('CpuHeadroom', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A machine whose CPUs are `busyShare` busy between samples (10 jiffies per sample). */
  function machine() {
    let busy = 0;
    let total = 0;
    let busyShare = 0;
    return {
      read: () => ({ busy, total }),
      run: (share: number) => (busyShare = share),
      advance: () => {
        total += 10;
        busy += 10 * busyShare;
      },
    };
  }

  /** A headroom sampling a fake machine every 100 ms. */
  function paced(maxWaitMs = 10_000) {
    const m = machine();
    const headroom = new CpuHeadroom({ minIdle: 0.05, sampleMs: 100, maxWaitMs }, () => (m.advance(), m.read()));
    return { m, headroom };
  }

  /** The same, once a first start has gone and the machine is saturated. */
  async function saturated(maxWaitMs?: number) {
    const p = paced(maxWaitMs);
    await p.headroom.acquire();
    p.m.run(1);
    return p;
  }

  const settled = async (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('lets a start go at once when the last sample had spare CPU, and the next one waits for a fresh sample', async () => {
    const { headroom } = paced();
    expect(await settled(headroom.acquire())).toBe(true);
    const second = headroom.acquire();
    expect(await settled(second)).toBe(false);
    vi.advanceTimersByTime(100); // an idle sample
    expect(await settled(second)).toBe(true);
    headroom.close();
  });

  it('holds starts while the machine is saturated and lets one go per sample with spare CPU', async () => {
    const { m, headroom } = await saturated();
    const a = headroom.acquire();
    const b = headroom.acquire();
    vi.advanceTimersByTime(1000);
    expect([await settled(a), await settled(b)]).toEqual([false, false]);
    m.run(0.5);
    vi.advanceTimersByTime(100);
    expect([await settled(a), await settled(b)]).toEqual([true, false]);
    vi.advanceTimersByTime(100);
    expect(await settled(b)).toBe(true);
    headroom.close();
  });

  it('never holds a start longer than maxWaitMs (a busy machine slows `up`, it does not stop it)', async () => {
    const { headroom } = await saturated(500);
    const waiting = headroom.acquire();
    vi.advanceTimersByTime(400);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(200);
    expect(await settled(waiting)).toBe(true);
    headroom.close();
  });

  it('lets everyone go where there is no /proc/stat, and when closed', async () => {
    expect(await settled(new CpuHeadroom(undefined, () => undefined).acquire())).toBe(true);
    const { headroom } = await saturated();
    const waiting = headroom.acquire();
    headroom.close();
    expect(await settled(waiting)).toBe(true);
  });
});
