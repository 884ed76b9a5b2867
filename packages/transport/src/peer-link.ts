import { EventEmitter } from 'node:events';
import { dial, type DialOptions } from './dialer.js';
import { TransportError } from './errors.js';
import type { Link, RequestOptions } from './link.js';

export interface BackoffOptions {
  /** First retry delay (default 100 ms). */
  initialMs?: number;
  /** Ceiling (default 5 s). */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** ± fraction of randomisation (default 0.2, as gRPC's connection backoff). */
  jitter?: number;
}

const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based): exponential, capped, jittered by `random`. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const base = Math.min(maxMs, initialMs * factor ** attempt);
  return Math.max(0, base * (1 + jitter * (2 * random() - 1)));
}

export interface PeerLinkOptions extends Omit<DialOptions, 'signal'> {
  backoff?: BackoffOptions;
  /** Random source for the back-off jitter (inject a seeded one for determinism). */
  random?: () => number;
}

export interface PeerRequestOptions extends RequestOptions {
  /** Wait (within the timeout) for a link instead of failing at once when there is none. */
  waitForReady?: boolean;
}

/**
 * A link to one peer that keeps itself up: it dials, and whenever the link fails or closes it dials
 * again after a jittered exponential back-off. The back-off only resets once a link has carried
 * traffic, so a server that accepts and then refuses us does not make us spin.
 */
export class PeerLink extends EventEmitter<{ up: [Link]; down: [reason: string]; 'dial-error': [Error] }> {
  private current: Link | null = null;
  private readonly abort = new AbortController();
  private running = false;
  private lastError = 'not connected yet';
  private readyWaiters = new Set<(link: Link | null) => void>();

  constructor(private readonly options: PeerLinkOptions) {
    super();
  }

  get link(): Link | null {
    return this.current;
  }

  get connected(): boolean {
    return this.current !== null && !this.current.closed;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  start(): this {
    if (!this.running && !this.closed) {
      this.running = true;
      void this.run();
    }
    return this;
  }

  /** Resolves with the next usable link, or rejects with Unavailable after `timeoutMs`. */
  waitForLink(timeoutMs: number): Promise<Link> {
    if (this.connected) return Promise.resolve(this.current as Link);
    return new Promise((resolve, reject) => {
      const waiter = (link: Link | null): void => {
        clearTimeout(timer);
        this.readyWaiters.delete(waiter);
        if (link) resolve(link);
        else reject(this.unavailable());
      };
      const timer = setTimeout(() => waiter(null), timeoutMs);
      this.readyWaiters.add(waiter);
    });
  }

  async request(service: string, method: string, body: unknown, options: PeerRequestOptions = {}): Promise<unknown> {
    let link = this.current;
    if (!link || link.closed) {
      if (!options.waitForReady || this.closed) throw this.unavailable();
      const started = Date.now();
      link = await this.waitForLink(options.timeoutMs ?? 10_000);
      const remaining = (options.timeoutMs ?? 10_000) - (Date.now() - started);
      return link.request(service, method, body, { ...options, timeoutMs: Math.max(1, remaining) });
    }
    return link.request(service, method, body, options);
  }

  send(service: string, body: unknown, options: { flush?: boolean } = {}): void {
    const link = this.current;
    if (!link || link.closed) throw this.unavailable();
    link.send(service, body, options);
  }

  /** Stops reconnecting and closes the current link. */
  close(): void {
    if (this.closed) return;
    this.abort.abort();
    this.current?.close('peer link closed');
    this.current = null;
    for (const waiter of [...this.readyWaiters]) waiter(null);
  }

  private unavailable(): TransportError {
    if (this.closed) return new TransportError('Unavailable', 'grpc: the client connection is closing');
    return new TransportError('Unavailable', `no connection to ${this.options.host}:${this.options.port}: ${this.lastError}`);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      let link: Link;
      try {
        link = await dial({ ...this.options, signal });
      } catch (error) {
        if (signal.aborted) break;
        this.lastError = (error as Error).message;
        this.emit('dial-error', error as Error);
        await this.sleep(backoffDelay(attempt++, this.options.backoff, this.options.random));
        continue;
      }
      if (signal.aborted) {
        link.close('peer link closed');
        break;
      }
      this.current = link;
      this.emit('up', link);
      for (const waiter of [...this.readyWaiters]) waiter(link);
      const reason = await new Promise<string>((resolve) => {
        if (link.closed) resolve(link.closeReason ?? 'closed');
        else link.once('close', resolve);
      });
      if (this.current === link) this.current = null;
      this.lastError = reason;
      if (signal.aborted) break;
      this.emit('down', reason);
      if (link.stats().framesIn > 0) attempt = 0;
      await this.sleep(backoffDelay(attempt++, this.options.backoff, this.options.random));
    }
    this.running = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}
