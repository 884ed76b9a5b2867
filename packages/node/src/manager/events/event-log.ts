// The daemon's events service for swarm events (moby daemon/events/events.go): the last 256
// events in the order they were published, for `since`/`until` replay, and the live subscribers.
// Every manager feeds it from its own store as it applies committed entries, so followers
// stream the same events as the leader.

import type { EmulatedClock } from '../../clock.js';
import type { MemoryStore, StoreEvent } from '../../store/memory.js';
import { EventFilter } from './filter.js';
import { clusterEventFrom } from './from-store.js';
import { msToNanos, type ClusterEvent } from './message.js';

/** moby's eventsLimit. */
export const EVENTS_LIMIT = 256;

export interface EventRange {
  /** Nanoseconds since 1970; undefined when not asked for. */
  since?: bigint;
  until?: bigint;
}

export interface Subscription {
  /** Remembered events in the range that pass the filter, oldest first. */
  buffered: ClusterEvent[];
  unsubscribe(): void;
}

interface Subscriber {
  filter: EventFilter;
  deliver: (ev: ClusterEvent) => void;
}

export class ClusterEventLog {
  private readonly ring: ClusterEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly limit = EVENTS_LIMIT) {}

  /** Remembers the event (dropping the oldest beyond the limit) and hands it to every subscriber whose filter takes it. */
  publish(ev: ClusterEvent): void {
    this.ring.push(ev);
    if (this.ring.length > this.limit) this.ring.shift();
    for (const s of this.subscribers) {
      if (!s.filter.includes(ev)) continue;
      try {
        s.deliver(ev);
      } catch {
        // One broken stream must not keep the event from the others (nor from the store's apply loop).
      }
    }
  }

  /**
   * Replays remembered events and subscribes to new ones in one step, so none falls in between.
   * Replay happens only when `since` or `until` is given (moby's loadBufferedEvents): walking back
   * from the newest, it stops at the first event older than `since` and skips those after `until`.
   * `deliver` is omitted for a stream that only wants the past.
   */
  subscribe(range: EventRange, filter: EventFilter, deliver?: (ev: ClusterEvent) => void): Subscription {
    const buffered: ClusterEvent[] = [];
    if (range.since !== undefined || range.until !== undefined) {
      const since = range.since ?? 0n;
      for (let i = this.ring.length - 1; i >= 0; i--) {
        const ev = this.ring[i];
        if (ev.timeNano < since) break;
        if (range.until !== undefined && range.until > 0n && ev.timeNano > range.until) continue;
        if (filter.includes(ev)) buffered.push(ev);
      }
      buffered.reverse();
    }
    if (!deliver) return { buffered, unsubscribe: () => undefined };
    const subscriber: Subscriber = { filter, deliver };
    this.subscribers.add(subscriber);
    return { buffered, unsubscribe: () => this.subscribers.delete(subscriber) };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Publishes the events a manager's store makes as it applies entries. Entries at or below
   * `replayedUpTo` were applied before this process started (it replays its log on start); a
   * restarted dockerd has forgotten their events, so they make none here either.
   */
  watch(store: MemoryStore, clock: EmulatedClock, replayedUpTo = 0): () => void {
    const onChange = (change: StoreEvent) => {
      if (store.appliedIndex <= replayedUpTo) return;
      let ev: ClusterEvent | undefined;
      try {
        ev = clusterEventFrom(change, () => msToNanos(clock.now()));
      } catch {
        // This runs inside the store's apply: an object we cannot describe costs its event, never the apply.
        return;
      }
      if (ev) this.publish(ev);
    };
    store.on('change', onChange);
    return () => store.off('change', onChange);
  }
}
