// Durations and timestamps as the Engine API writes them: durations are integer nanoseconds,
// timestamps are Go's RFC3339Nano (UTC, "Z", trailing fraction zeros trimmed, no dot when zero).

import type { Nanoseconds, Timestamp } from './types/common.js';

export const NANOSECOND: Nanoseconds = 1;
export const MICROSECOND: Nanoseconds = 1_000;
export const MILLISECOND: Nanoseconds = 1_000_000;
export const SECOND: Nanoseconds = 1_000_000_000;
export const MINUTE: Nanoseconds = 60 * SECOND;
export const HOUR: Nanoseconds = 60 * MINUTE;

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Formats Unix-epoch nanoseconds the way Go's time.RFC3339Nano does in UTC. */
export function formatTimestamp(epochNanos: bigint): Timestamp {
  let seconds = epochNanos / NS_PER_S;
  let fraction = epochNanos % NS_PER_S;
  if (fraction < 0n) {
    fraction += NS_PER_S;
    seconds -= 1n;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (fraction === 0n) return `${whole}Z`;
  const digits = fraction.toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}.${digits}Z`;
}

/** Formats a JS Date (millisecond precision). */
export function formatDate(date: Date): Timestamp {
  return formatTimestamp(BigInt(date.getTime()) * NS_PER_MS);
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp (any offset, up to nine fraction digits) into epoch nanoseconds. */
export function parseTimestamp(text: Timestamp): bigint {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`invalid RFC 3339 timestamp: ${JSON.stringify(text)}`);
  const [, whole, fraction = '', zone] = m;
  const ms = Date.parse(`${whole}${zone === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(ms)) throw new Error(`invalid RFC 3339 timestamp: ${JSON.stringify(text)}`);
  return BigInt(ms) * NS_PER_MS + BigInt(fraction.padEnd(9, '0'));
}
