// GET /events (moby api/server/router/system getEvents): remembered events in the since/until
// range, then, unless `until` is already past, live events as they come, one JSON object per
// line, until `until` arrives or the client goes away. A manager has the swarm's events (scope
// swarm); every node has its own containers', images' and volumes' (scope local).

import type { ServerResponse } from 'node:http';
import type { EmulatedClock } from '../clock.js';
import { ApiError } from '../errors.js';
import type { ClusterEventLog } from '../manager/events/event-log.js';
import { EventFilter } from '../manager/events/filter.js';
import { encodeEvent, msToNanos, type ClusterEvent } from '../manager/events/message.js';
import { parseEventTime } from '../manager/events/timestamp.js';
import type { Request, Router } from './http.js';

/**
 * Bytes a stream may have waiting for a slow client before new events skip it (moby gives each
 * subscriber 100 ms to take an event, then skips it).
 */
const MAX_UNSENT_BYTES = 1 << 20;

/** Node timers hold at most 2^31-1 ms; a later `until` is reached in several waits. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function registerEventRoutes(r: Router, events: ClusterEventLog, clock: EmulatedClock): void {
  r.on('GET', '/events', (req, res) => streamEvents(req, res, events, clock));
}

function streamEvents(req: Request, res: ServerResponse, events: ClusterEventLog, clock: EmulatedClock): void {
  const sinceText = req.query.get('since') ?? '';
  const untilText = req.query.get('until') ?? '';
  const since = parseEventTime(sinceText);
  const until = parseEventTime(untilText);
  if (until !== undefined && since !== undefined && until < since) {
    throw new ApiError(400, `\`since\` time (${sinceText}) cannot be after \`until\` time (${untilText})`);
  }
  const onlyPast = until !== undefined && until < msToNanos(clock.now());
  const filter = EventFilter.parse(req.query.get('filters'));

  const send = (ev: ClusterEvent) => {
    if (res.destroyed || res.writableEnded || res.writableLength > MAX_UNSENT_BYTES) return;
    res.write(encodeEvent(ev));
  };
  // Subscribed before the headers leave: a client holding them misses no later event.
  const live = onlyPast || req.method === 'HEAD' ? undefined : send;
  const subscription = events.subscribe({ since, until }, filter, live);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  for (const ev of subscription.buffered) send(ev);
  if (!live) {
    res.end();
    return;
  }

  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    subscription.unsubscribe();
    if (!res.writableEnded) res.end();
  };
  res.once('close', finish);
  if (until !== undefined) {
    const waitForUntil = () => {
      const leftMs = Number(until - msToNanos(clock.now())) / 1e6;
      if (leftMs <= 0) return finish();
      timer = setTimeout(waitForUntil, Math.min(MAX_TIMER_MS, Math.max(1, clock.toReal(leftMs))));
    };
    waitForUntil();
  }
}
