// Records a workload's operations as Jepsen history lines, in memory and streamed to
// history.jsonl as they happen (so a run cut short still leaves its history behind) — through a
// buffered stream, not a synchronous write per operation on the clients' path.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { HistoryOp } from '../types.js';

export class HistoryRecorder {
  readonly ops: HistoryOp[] = [];
  private t0 = process.hrtime.bigint();
  /** Wall-clock time of the origin (for lining the history up with timestamped events). */
  startedAt = new Date();

  private readonly out: WriteStream | undefined;

  constructor(file?: string) {
    this.out = file ? createWriteStream(file) : undefined;
  }

  /** Flushes history.jsonl and closes it. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => (this.out ? this.out.end((e?: Error | null) => (e ? reject(e) : resolve())) : resolve()));
  }

  /** Moves the origin to now (the workload starts; nothing may be recorded before). */
  restart(): void {
    if (this.ops.length > 0) throw new Error('history already has operations');
    this.t0 = process.hrtime.bigint();
    this.startedAt = new Date();
  }

  /** Nanoseconds since the origin. */
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  record(op: Omit<HistoryOp, 'time' | 'index'>): HistoryOp {
    const line: HistoryOp = { ...op, time: this.now() };
    this.ops.push(line);
    this.out?.write(`${JSON.stringify(line)}\n`);
    return line;
  }
}
