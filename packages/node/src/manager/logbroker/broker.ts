// The leader's log broker (SwarmKit manager/logbroker): a `docker service logs` request becomes a
// subscription; the agents running its tasks are asked for their lines and publish them back; the
// Engine API (on this manager or, forwarded, on another) drains the subscription by polling, so
// the same path serves the leader's own API and followers'.

import { randomBytes } from 'node:crypto';
import type { Link } from '@swarmlab/transport';
import type { LogMessage, LogPublication, LogSelector, LogSubscriptionMessage } from './protocol.js';

/** Lines held for a subscription nobody drains, at most. */
const MAX_BUFFERED = 10_000;

export interface SubscriptionTarget {
  /** Tasks by node: the agent on that node is asked for them. */
  byNode: Map<string, string[]>;
  selector: LogSelector;
}

interface Subscription {
  id: string;
  buffer: LogMessage[];
  /** Nodes that have not said `done` yet (a non-following read ends when none is left). */
  pending: Set<string>;
  /** The tasks each node was asked for: an agent's lines count only for its own. */
  byNode: Map<string, Set<string>>;
  follow: boolean;
  lastPoll: number;
  /** Ends a non-following read whose agents never answer. */
  deadline: number;
}

export class LogBroker {
  private subscriptions = new Map<string, Subscription>();

  constructor(
    /** The session link of the agent on a node, if it has one with us. */
    private readonly linkFor: (nodeId: string) => Link | undefined,
    private readonly now: () => number,
    /** How long a non-following read waits for agents, and how long an undrained subscription lives (real ms). */
    private readonly timeouts = { answerMs: 3_000, idleMs: 15_000 },
  ) {}

  subscribe(target: SubscriptionTarget): { id: string } {
    this.collect();
    const id = randomBytes(12).toString('hex');
    const sub: Subscription = {
      id,
      buffer: [],
      pending: new Set(),
      byNode: new Map([...target.byNode].map(([node, tasks]) => [node, new Set(tasks)])),
      follow: target.selector.follow,
      lastPoll: this.now(),
      deadline: this.now() + this.timeouts.answerMs,
    };
    this.subscriptions.set(id, sub);
    for (const [nodeId, taskIds] of target.byNode) {
      const link = this.linkFor(nodeId);
      if (!link || link.closed) continue;
      const m: LogSubscriptionMessage = { op: 'subscribe', id, taskIds, selector: target.selector };
      try {
        link.send('logs', m);
        sub.pending.add(nodeId);
      } catch {
        // The agent just went away: its tasks' lines are not available now.
      }
    }
    return { id };
  }

  /** What arrived since the last poll; `done` when a non-following read has everything. */
  poll(id: string): { messages: LogMessage[]; done: boolean } {
    const sub = this.subscriptions.get(id);
    if (!sub) return { messages: [], done: true };
    sub.lastPoll = this.now();
    const messages = sub.buffer.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    sub.buffer = [];
    const done = !sub.follow && (sub.pending.size === 0 || this.now() > sub.deadline);
    if (done) this.subscriptions.delete(id);
    return { messages, done };
  }

  cancel(id: string): void {
    const sub = this.subscriptions.get(id);
    if (!sub) return;
    this.subscriptions.delete(id);
    for (const nodeId of sub.byNode.keys()) {
      const link = this.linkFor(nodeId);
      if (link && !link.closed) link.send('logs', { op: 'cancel', id } satisfies LogSubscriptionMessage);
    }
  }

  /** Lines an agent published (only for tasks of its own node: the session is authenticated). */
  publish(nodeId: string, p: LogPublication): void {
    const sub = this.subscriptions.get(p.id);
    const own = sub?.byNode.get(nodeId);
    if (!sub || !own) return;
    for (const m of p.messages) {
      if (!own.has(m.taskId)) continue;
      if (sub.buffer.length >= MAX_BUFFERED) sub.buffer.shift();
      sub.buffer.push(m);
    }
    if (p.done) sub.pending.delete(nodeId);
  }

  stop(): void {
    for (const id of [...this.subscriptions.keys()]) this.cancel(id);
  }

  /** Drops subscriptions nobody polls any more (a client that went away without cancelling). */
  private collect(): void {
    const now = this.now();
    for (const sub of [...this.subscriptions.values()]) if (now - sub.lastPoll > this.timeouts.idleMs) this.cancel(sub.id);
  }
}
