// `since` and `until` as dockerd reads them (moby api/types/time ParseTimestamps, and eventTime in
// api/server/router/system): `<seconds>` or `<seconds>.<fraction>`, nothing else. The CLI turns
// durations (`10m`) and RFC 3339 times into that form before sending; the daemon itself refuses
// them with strconv's error, which it answers with a 500.

import { ApiError } from '../../errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64), with its error texts. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new ApiError(500, `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw new ApiError(500, `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/**
 * Nanoseconds since 1970, or undefined when the parameter is absent (or -1 seconds, which the
 * daemon takes for absent too). A fraction of other than nine digits is scaled to nanoseconds
 * in floating point, as the daemon does.
 */
export function parseEventTime(value: string | null | undefined): bigint | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const dot = value.indexOf('.');
  const seconds = parseInt64(dot < 0 ? value : value.slice(0, dot));
  let nanos = 0n;
  if (dot >= 0) {
    const fraction = value.slice(dot + 1);
    const raw = parseInt64(fraction);
    nanos = BigInt(Math.trunc(Number(raw) * Math.pow(10, 9 - fraction.length)));
  }
  if (seconds === -1n) return undefined;
  return seconds * 1_000_000_000n + nanos;
}
