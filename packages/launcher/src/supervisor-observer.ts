// Watches the swarm's view of its nodes (the leader's `GET /nodes`) and records each change of a
// node's status, availability or manager status in events.jsonl. Leadership changes need no
// polling: the managers report them over the control channel as they happen.

import type { Lab } from './lab.js';
import { leaderNodeList, managerStatusOf } from './supervisor-nodes.js';

interface Seen {
  status: string;
  availability: string;
  managerStatus: string;
}

export class StatusObserver {
  private timer: NodeJS.Timeout | undefined;
  private seen = new Map<string, Seen>();
  private polling = false;

  constructor(
    private readonly lab: Lab,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      // Without a leader nobody can say a node's status: keep the last one seen.
      const nodes = await leaderNodeList(this.lab);
      if (!nodes || !this.timer) return;
      for (const n of nodes) {
        const name = n.Description?.Hostname;
        if (!name) continue;
        const now: Seen = { status: n.Status?.State ?? 'unknown', availability: n.Spec?.Availability ?? '', managerStatus: managerStatusOf(n) };
        const before = this.seen.get(name);
        this.seen.set(name, now);
        if (!before) continue;
        for (const key of ['status', 'availability', 'managerStatus'] as const) {
          if (before[key] !== now[key]) this.lab.log({ kind: 'observed', node: name, event: key, value: now[key], previous: before[key] });
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
