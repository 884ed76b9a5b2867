import { describe, expect, it } from 'vitest';
import { healthCheckOf, HealthMonitor, type HealthStatus } from '../src/agent/health.js';

/** A clock whose time moves only when told, running the timers that fall due. */
class ManualClock {
  private t = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    this.timers.push({ at: this.t + ms, fn });
    return undefined as unknown as NodeJS.Timeout;
  }
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      // Let the probe's exec and its bookkeeping settle.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.t = until;
  }
}

function monitor(results: (number | 'hang')[], check: Partial<Parameters<typeof healthCheckOf>[0]> = {}) {
  const clock = new ManualClock();
  const ran: string[][] = [];
  const container = {
    exec: (argv: string[]) => {
      ran.push(argv);
      const r = results.shift() ?? 0;
      if (r === 'hang') return new Promise<never>(() => undefined);
      return Promise.resolve({ exitCode: r, stdout: r === 0 ? 'ok\n' : '', stderr: r === 0 ? '' : 'not yet\n' });
    },
  };
  const spec = healthCheckOf({ Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 1e9, Timeout: 2e9, Retries: 2, ...check }, 1)!;
  const m = new HealthMonitor(container, spec, clock);
  const seen: HealthStatus[] = [];
  m.on('status', (s) => seen.push(s));
  m.start();
  return { m, clock, ran, seen };
}

describe('health checks', () => {
  it('read the spec as moby does: CMD-SHELL through /bin/sh, CMD as is, NONE or nothing for no check, its defaults, scaled with the profile', () => {
    expect(healthCheckOf({ Test: ['CMD-SHELL', 'curl -f localhost'] }, 1)).toEqual({
      argv: ['/bin/sh', '-c', 'curl -f localhost'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      timeoutText: '30s',
      startPeriodMs: 0,
      retries: 3,
    });
    expect(healthCheckOf({ Test: ['CMD', 'cat', '/ready'], Interval: 5e9, Timeout: 1.5e9 }, 0.05)).toMatchObject({ argv: ['cat', '/ready'], intervalMs: 250, timeoutMs: 75, timeoutText: '1.5s' });
    expect(healthCheckOf({ Test: ['NONE'] }, 1)).toBeUndefined();
    expect(healthCheckOf(undefined, 1)).toBeUndefined();
  });

  it('turns healthy on the first success, and unhealthy after `retries` failures in a row', async () => {
    const { m, clock, ran, seen } = monitor([1, 0, 1, 1]);
    await clock.advance(1000);
    expect(m.status).toBe('starting');
    await clock.advance(1000);
    expect(m.status).toBe('healthy');
    await clock.advance(1000);
    expect(m).toMatchObject({ status: 'healthy', failingStreak: 1 });
    await clock.advance(1000);
    expect(seen).toEqual(['healthy', 'unhealthy']);
    expect(ran[0]).toEqual(['/bin/sh', '-c', 'wget -q localhost']);
    expect(m.log.map((p) => [p.ExitCode, p.Output])).toEqual([[1, 'not yet\n'], [0, 'ok\n'], [1, 'not yet\n'], [1, 'not yet\n']]);
    m.stop();
  });

  it('does not count failures in the start period until the container has been healthy', async () => {
    const { m, clock, seen } = monitor([1, 1, 1, 1, 1], { StartPeriod: 3.5e9 });
    await clock.advance(3000);
    expect(m).toMatchObject({ status: 'starting', failingStreak: 0 });
    await clock.advance(2000);
    expect(seen).toEqual(['unhealthy']);
    m.stop();
  });

  it('counts a probe that outlives its timeout as a failure, with moby\'s message', async () => {
    const { m, clock } = monitor(['hang', 'hang']);
    await clock.advance(1000 + 2000);
    expect(m.log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (2s)' });
    expect(m.failingStreak).toBe(1);
    m.stop();
  });
});
