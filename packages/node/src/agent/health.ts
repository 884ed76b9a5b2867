// Container health checks (moby daemon/health.go): the spec's HEALTHCHECK runs inside the
// container every interval; `retries` failures in a row make it unhealthy, a success healthy.
// Failures during the start period do not count. Docker's executor holds a task at STARTING until
// its container is healthy, and fails it with "dockerexec: unhealthy container" (moby's
// ErrContainerUnhealthy) when it turns unhealthy (worker.ts).

import { EventEmitter } from 'node:events';
import type { HealthConfig } from '@swarmlab/api';
import type { Container } from './exec/index.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthCheck {
  /** The command, as exec argv. */
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  /** The timeout as the spec gave it (the profile may run it faster), for the probe's message. */
  timeoutText: string;
  startPeriodMs: number;
  retries: number;
}

export interface HealthProbe {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** moby's defaults (container.DefaultHealthInterval and friends). */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
/** docker inspect keeps the last five probes. */
const MAX_LOG = 5;
/** Output kept per probe (moby's maxOutputLen). */
const MAX_OUTPUT = 4096;

/**
 * The check a spec asks for, its durations scaled like every timing of the profile; undefined
 * when there is none (no Test, or NONE). Bad tests are refused by the API before they get here.
 */
export function healthCheckOf(config: HealthConfig | undefined, timingScale: number): HealthCheck | undefined {
  const test = config?.Test ?? [];
  const [kind, ...rest] = test;
  let argv: string[];
  if (kind === 'CMD-SHELL' && rest.length > 0) argv = ['/bin/sh', '-c', rest.join(' ')];
  else if (kind === 'CMD' && rest.length > 0) argv = rest;
  else return undefined;
  const unscaled = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? ns / 1e6 : fallback);
  const ms = (ns: number | undefined, fallback: number) => unscaled(ns, fallback) * timingScale;
  return {
    argv,
    intervalMs: ms(config?.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(config?.Timeout, DEFAULT_TIMEOUT_MS),
    timeoutText: formatSeconds(unscaled(config?.Timeout, DEFAULT_TIMEOUT_MS)),
    startPeriodMs: ms(config?.StartPeriod, 0),
    retries: config?.Retries && config.Retries > 0 ? config.Retries : DEFAULT_RETRIES,
  };
}

interface Clock {
  now(): number;
  setTimeout(fn: () => void, emulatedMs: number): NodeJS.Timeout;
}

export class HealthMonitor extends EventEmitter<{ status: [HealthStatus] }> {
  status: HealthStatus = 'starting';
  failingStreak = 0;
  readonly log: HealthProbe[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly startedAt: number;

  constructor(
    private readonly container: Pick<Container, 'exec'>,
    private readonly check: HealthCheck,
    private readonly clock: Clock,
  ) {
    super();
    this.startedAt = clock.now();
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.probe().then(() => this.schedule()), this.check.intervalMs);
  }

  private async probe(): Promise<void> {
    const start = this.clock.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ exitCode: number; output: string }>((resolve) => {
      timer = this.clock.setTimeout(() => resolve({ exitCode: -1, output: `Health check exceeded timeout (${this.check.timeoutText})` }), this.check.timeoutMs);
    });
    const ran = this.container.exec(this.check.argv).then(
      (r) => ({ exitCode: r.exitCode, output: `${r.stdout}${r.stderr}` }),
      (e: unknown) => ({ exitCode: -1, output: e instanceof Error ? e.message : String(e) }),
    );
    const result = await Promise.race([ran, timedOut]);
    clearTimeout(timer);
    if (this.stopped) return;
    this.log.push({ Start: new Date(start).toISOString(), End: new Date(this.clock.now()).toISOString(), ExitCode: result.exitCode, Output: result.output.slice(0, MAX_OUTPUT) });
    if (this.log.length > MAX_LOG) this.log.shift();
    if (result.exitCode === 0) {
      this.failingStreak = 0;
      this.set('healthy');
      return;
    }
    // A failure in the start period does not count while the container has not been healthy yet.
    if (this.status === 'starting' && start - this.startedAt < this.check.startPeriodMs) return;
    this.failingStreak++;
    if (this.failingStreak >= this.check.retries) this.set('unhealthy');
  }

  private set(status: HealthStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.emit('status', status);
  }
}

/** Go's Duration.String() for whole and fractional seconds (30s, 1.5s). */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
