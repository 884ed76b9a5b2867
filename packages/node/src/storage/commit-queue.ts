// Group commit. Writes are queued in call order; whatever queues up while one write + fsync
// is in flight goes out as the next single write + fsync. Each caller's promise settles only
// once its own records are durable, and `apply` callbacks (updating the in-memory log) run in
// call order right after that.
//
// Fail-stop: after any failed write the tail of the WAL is unknown, so every later request is
// refused until the storage is reopened (etcd panics in the same spot).

import { StorageError } from './errors.js';
import type { WalRecord } from './wal-record.js';

export interface WriteRequest {
  records: WalRecord[];
  /** Runs before the write with every earlier request applied; starts a new batch. */
  prepare?: () => Promise<void>;
  /** Runs once the records are durable, in call order. */
  apply?: () => void;
  /** False: written, not fsynced (a batch is fsynced when any request in it wants it). */
  sync?: boolean;
  /** Fsync on libuv's thread pool, so the caller's thread keeps working meanwhile. */
  background?: boolean;
}

type Queued =
  | { kind: 'write'; req: WriteRequest; resolve: () => void; reject: (err: unknown) => void }
  | { kind: 'task'; run: () => Promise<void>; resolve: () => void; reject: (err: unknown) => void };

export class CommitQueue {
  private queue: Queued[] = [];
  private running = false;
  private failure: StorageError | undefined;

  constructor(private readonly writeBatch: (records: WalRecord[], sync: boolean, background: boolean) => Promise<void>) {}

  write(req: WriteRequest): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'write', req, resolve, reject }));
  }

  /** Runs `run` alone, after everything queued before it and before anything queued after. */
  exclusive(run: () => Promise<void>): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'task', run, resolve, reject }));
  }

  private enqueue(make: (resolve: () => void, reject: (err: unknown) => void) => Queued): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.queue.push(make(resolve, reject));
      if (!this.running) {
        this.running = true;
        // Start on a microtask so calls made in the same tick share the first batch.
        queueMicrotask(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const first = this.queue.shift()!;
      const batch: Queued[] = [first];
      try {
        if (first.kind === 'task') {
          await first.run();
        } else {
          if (first.req.prepare) await first.req.prepare();
          // Everything that queued up meanwhile joins, up to the next task or prepare step.
          while (this.queue.length > 0) {
            const next = this.queue[0];
            if (next.kind !== 'write' || next.req.prepare) break;
            batch.push(this.queue.shift()!);
          }
          const writes = batch as Extract<Queued, { kind: 'write' }>[];
          await this.writeBatch(
            writes.flatMap((w) => w.req.records),
            writes.some((w) => w.req.sync !== false),
            writes.some((w) => w.req.background === true),
          );
          for (const w of writes) w.req.apply?.();
        }
        for (const q of batch) q.resolve();
      } catch (err) {
        this.fail(err, batch);
      }
    }
    this.running = false;
  }

  private fail(err: unknown, batch: Queued[]): void {
    this.failure =
      err instanceof StorageError
        ? err
        : new StorageError('WriteFailed', `raft: storage write failed: ${(err as Error).message}`, { cause: err });
    for (const q of [...batch, ...this.queue.splice(0)]) q.reject(this.failure);
  }
}
