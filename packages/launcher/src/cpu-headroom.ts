// Paces node starts to the machine's spare CPU while a big cluster forms (lab.ts: beyond 100 nodes).
//
// Why: every node process shares this machine's cores. Started as fast as they come up, a
// 200-node swarm kept two cores saturated for a minute; a worker then got ~1 % of a core, woke for
// its heartbeat up to 2 s late, missed the dispatcher's deadline, and the re-registrations of the
// workers marked Down loaded the leader further until the swarm did not form (3 of 10 runs; once
// gossip's push/pull scaled with the cluster, unpaced runs formed, still ending 0-5 sessions each).
// Started only while the machine has some CPU to spare, the nodes' timers stay on time: in
// interleaved 200-node runs no session ended, for ~10 % more time to form.

import { readFileSync } from 'node:fs';

/** All CPUs' jiffies since boot, busy and in all, from /proc/stat; undefined where there is none. */
export function cpuJiffies(stat?: string): { busy: number; total: number } | undefined {
  let text = stat;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/stat', 'utf8');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n', 1)[0];
  if (!line.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice] — guest time is already in user.
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return undefined;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}

export interface HeadroomOptions {
  /** Share of all CPUs that must have been idle over the last sample for a start to go ahead. */
  minIdle: number;
  /** How often the machine's load is sampled, ms. */
  sampleMs: number;
  /** A start never waits longer than this (the machine may be busy with something else entirely). */
  maxWaitMs: number;
}

export const DEFAULT_HEADROOM: HeadroomOptions = { minIdle: 0.05, sampleMs: 100, maxWaitMs: 2000 };

/**
 * Hands out starts: `acquire()` resolves at once while the last sample shows at least `minIdle`
 * of the CPUs idle, and otherwise after the next sample that does (one start per such sample, so
 * waiting starts do not all go at once), or after `maxWaitMs`.
 */
export class CpuHeadroom {
  private last: { busy: number; total: number } | undefined;
  private idle = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly waiting: { resolve: () => void; since: number }[] = [];

  constructor(
    private readonly options: HeadroomOptions = DEFAULT_HEADROOM,
    private readonly read: () => { busy: number; total: number } | undefined = () => cpuJiffies(),
  ) {
    this.last = read();
  }

  /** Resolves when a node may start. */
  acquire(): Promise<void> {
    if (this.last === undefined) return Promise.resolve();
    this.ensureSampling();
    if (this.waiting.length === 0 && this.idle >= this.options.minIdle) {
      // This start uses the headroom the sample showed; the next waits for a fresh one.
      this.idle = 0;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ resolve, since: performance.now() }));
  }

  /** Stops sampling; anyone still waiting goes ahead. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  private ensureSampling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.options.sampleMs);
    this.timer.unref();
  }

  private sample(): void {
    const now = this.read();
    if (now === undefined || this.last === undefined) return this.close();
    const total = now.total - this.last.total;
    this.idle = total > 0 ? 1 - (now.busy - this.last.busy) / total : this.idle;
    this.last = now;
    if (this.waiting.length > 0 && this.idle >= this.options.minIdle) {
      this.idle = 0;
      this.waiting.shift()!.resolve();
    }
    // Long waiters go ahead too (a busy machine slows `up`, it does not stop it).
    const t = performance.now();
    while (this.waiting.length > 0 && t - this.waiting[0].since >= this.options.maxWaitMs) this.waiting.shift()!.resolve();
  }
}
