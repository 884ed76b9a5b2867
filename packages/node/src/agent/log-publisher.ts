// The agent's side of the log broker (SwarmKit agent/worker.go Subscribe + PublishLogs): reads
// the logs of the tasks the leader asks for from their emulated containers and publishes them
// back over the session link, in small batches; a following read lasts until cancelled.

import type { Container } from './exec/types.js';
import { isSubscriptionMessage, type LogMessage, type LogPublication } from '../manager/logbroker/protocol.js';

/** A batch goes out when it holds this many lines, or after this long. */
const BATCH_LINES = 200;
const BATCH_MS = 50;

export type Publish = (p: LogPublication) => void;

export class LogPublisher {
  private readonly active = new Map<string, AbortController>();

  constructor(private readonly containerFor: (taskId: string) => Container | undefined) {}

  /** A message from the leader on the `logs` service; anything malformed is ignored. */
  handle(message: unknown, publish: Publish): void {
    if (!isSubscriptionMessage(message)) return;
    if (message.op === 'cancel') {
      this.active.get(message.id)?.abort();
      this.active.delete(message.id);
      return;
    }
    if (this.active.has(message.id)) return;
    const abort = new AbortController();
    this.active.set(message.id, abort);
    const { id, taskIds, selector } = message;
    let batch: LogMessage[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0 || abort.signal.aborted) return;
      publish({ id, messages: batch });
      batch = [];
    };
    const add = (m: LogMessage) => {
      batch.push(m);
      if (batch.length >= BATCH_LINES) flush();
      else timer ??= setTimeout(flush, BATCH_MS);
    };
    const readTask = async (taskId: string) => {
      const container = this.containerFor(taskId);
      if (!container) return;
      const opts = { since: selector.since, tail: selector.tail, follow: selector.follow, signal: abort.signal };
      for await (const l of container.logs(opts)) {
        if ((l.stream === 'stdout' && !selector.stdout) || (l.stream === 'stderr' && !selector.stderr)) continue;
        add({ taskId, stream: l.stream, time: l.time, line: l.line });
      }
    };
    void Promise.all(taskIds.filter((t) => typeof t === 'string').map((t) => readTask(t).catch(() => undefined))).then(() => {
      flush();
      this.active.delete(id);
      if (!abort.signal.aborted) publish({ id, messages: [], done: true });
    });
  }

  /** The session ended: every read it asked for stops. */
  cancelAll(): void {
    for (const a of this.active.values()) a.abort();
    this.active.clear();
  }
}
