// Task and node timestamps as emulated milliseconds. Rounds read the same few timestamps over and
// over (every task's CreatedAt when ordering a slot's history, failure times when ranking nodes),
// and tasks created together share theirs: each text is parsed once.

import { parseTimestamp } from '@swarmlab/api';

const parsed = new Map<string, number | undefined>();
/** Bounds the memory: timestamps of long-gone tasks are dropped with the rest, then parsed again. */
const MAX_REMEMBERED = 20_000;

/** Emulated ms of an RFC 3339 timestamp, undefined when missing or malformed. */
export function timestampMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  let ms: number | undefined;
  try {
    ms = Number(parseTimestamp(text) / 1000n) / 1000;
  } catch {
    ms = undefined;
  }
  if (parsed.size >= MAX_REMEMBERED) parsed.clear();
  parsed.set(text, ms);
  return ms;
}
