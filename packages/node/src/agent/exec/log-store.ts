// A container's stdout/stderr as Docker's json-file driver keeps it: whole lines with the time
// they were written, partial lines held until their newline (or 16 KiB, or the process's end),
// readable with tail/since/until and followable until the container exits.

import { toDockerTime } from '../../clock.js';
import type { LogLine, LogOptions, LogStream } from './types.js';

interface StoredLine extends LogLine {
  ms: number;
}

/** Docker splits a line longer than this into several messages. */
const MAX_LINE = 16 * 1024;

export class LogStore {
  private lines: StoredLine[] = [];
  private dropped = 0;
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };
  private closed = false;
  private waiters = new Set<() => void>();

  constructor(
    private readonly now: () => number,
    private readonly maxLines: number,
  ) {}

  write(stream: LogStream, text: string): void {
    if (this.closed || text.length === 0) return;
    let buf = this.partial[stream] + text;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      this.push(stream, buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    while (buf.length >= MAX_LINE) {
      this.push(stream, buf.slice(0, MAX_LINE));
      buf = buf.slice(MAX_LINE);
    }
    this.partial[stream] = buf;
  }

  /** The process ended: flush partial lines and release followers. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.push(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    this.closed = true;
    this.wake();
  }

  /** The process runs again (a restarted container): new lines are kept after the old ones. */
  reopen(): void {
    this.closed = false;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *read(opts: LogOptions = {}): AsyncGenerator<LogLine> {
    const { since, until, tail, follow, signal } = opts;
    const accept = (l: StoredLine) => (since === undefined || l.ms >= since) && (until === undefined || l.ms < until);
    const snapshot = tail === undefined || tail < 0 ? this.lines : tail === 0 ? [] : this.lines.slice(-tail);
    // Absolute position of the next line to deliver, stable while old lines are dropped.
    let next = this.dropped + this.lines.length;
    for (const l of snapshot) {
      if (signal?.aborted) return;
      if (accept(l)) yield toPublic(l);
    }
    if (!follow) return;
    for (;;) {
      if (signal?.aborted) return;
      const start = Math.max(0, next - this.dropped);
      if (start < this.lines.length) {
        const batch = this.lines.slice(start);
        next = this.dropped + this.lines.length;
        for (const l of batch) {
          if (signal?.aborted) return;
          if (accept(l)) yield toPublic(l);
        }
        continue;
      }
      if (this.closed) return;
      await this.nextChange(signal);
    }
  }

  private push(stream: LogStream, line: string): void {
    const ms = this.now();
    this.lines.push({ stream, line, ms, time: toDockerTime(ms) });
    if (this.lines.length > this.maxLines) {
      const excess = this.lines.length - this.maxLines;
      this.lines.splice(0, excess);
      this.dropped += excess;
    }
    this.wake();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function toPublic(l: StoredLine): LogLine {
  return { stream: l.stream, time: l.time, line: l.line };
}
