// The data the inline script needs to say which operation is under the pointer: per lane, the
// operations in start order, in a compact form (repeated strings go to a shared table).

import { safeJson, truncate } from './escape.js';
import type { Completion, TimedOp } from './operations.js';

/** [start ms, end ms or -1 when it never completed, outcome, f, value, node, error] — the last
 * three as string-table indexes, -1 for none. */
export type HoverOp = [number, number, number, number, number, number, number];

export interface HoverData {
  /** Plot area in SVG units and the time span it shows. */
  x0: number;
  x1: number;
  t0: number;
  t1: number;
  top: number;
  laneHeight: number;
  /** Lane labels, e.g. "p3". */
  names: string[];
  types: Completion[];
  strings: string[];
  lanes: HoverOp[][];
}

const TYPES: Completion[] = ['ok', 'fail', 'info'];
const VALUE_CHARS = 160;
const ERROR_CHARS = 240;

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export function hoverData(ops: readonly TimedOp[], processes: readonly number[], frame: Omit<HoverData, 'names' | 'types' | 'strings' | 'lanes'>): HoverData {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const laneOf = new Map(processes.map((p, i) => [p, i]));
  const lanes: HoverOp[][] = processes.map(() => []);
  for (const op of ops) {
    const lane = laneOf.get(op.process);
    if (lane === undefined) continue;
    lanes[lane].push([
      round2(op.start),
      op.end === undefined ? -1 : round2(op.end),
      TYPES.indexOf(op.type),
      intern(op.f),
      intern(truncate(safeJson(op.value), VALUE_CHARS)),
      intern(op.node),
      intern(op.error === undefined ? undefined : truncate(op.error, ERROR_CHARS)),
    ]);
  }
  for (const lane of lanes) lane.sort((a, b) => a[0] - b[0]);
  return { ...frame, names: processes.map((p) => `p${p}`), types: TYPES, strings, lanes };
}
