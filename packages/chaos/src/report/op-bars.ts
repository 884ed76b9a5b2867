// Operation bars as one SVG path per outcome. A sparse lane draws each operation (bars that touch
// at pixel resolution merge). A dense lane — more operations than half its pixels — draws each
// pixel column as a stack of the outcomes that filled it, so neither the common outcome nor the
// rare ones hide the others, and 50,000 operations cost at most a few thousand rectangles.

import type { Completion, TimedOp } from './operations.js';
import { OUTCOME_COLORS } from './palette.js';
import { px, type Scale } from './scale.js';

const OUTCOMES: Completion[] = ['ok', 'info', 'fail'];

const MIN_BAR_PX = 1;
/** Bars closer than this merge into one. */
const MERGE_PX = 0.6;
/** A lane is dense when it has more operations than this many per pixel of width. */
const DENSE_OPS_PER_PX = 0.5;
/** The smallest share of a column an outcome that is present gets, so one failure still shows. */
const MIN_STACK_PX = 1;

export interface LaneGeometry {
  /** The top of each lane, by process. */
  laneTop: Map<number, number>;
  barHeight: number;
  /** Where an operation that never completed is drawn to. */
  openEnd: number;
}

type Paths = Record<Completion, string[]>;

function rect(x: number, y: number, w: number, h: number): string {
  return `M${px(x)} ${px(y)}h${px(w)}v${px(h)}h${px(-w)}z`;
}

function extent(op: TimedOp, x: Scale, openEnd: number): [number, number] {
  const x0 = x(op.start);
  return [x0, Math.max(x(op.end ?? openEnd), x0)];
}

/** Rare outcomes are drawn last, on top of the common ones. */
function sparseLane(ops: TimedOp[], x: Scale, top: number, g: LaneGeometry, out: Paths): void {
  for (const type of OUTCOMES) {
    const spans = ops
      .filter((o) => o.type === type)
      .map((o) => {
        const [x0, x1] = extent(o, x, g.openEnd);
        return [x0, Math.max(x1, x0 + MIN_BAR_PX)] as [number, number];
      })
      .sort((a, b) => a[0] - b[0]);
    if (!spans.length) continue;
    let [a, b] = spans[0];
    for (let i = 1; i < spans.length; i++) {
      const [c, d] = spans[i];
      if (c <= b + MERGE_PX) b = Math.max(b, d);
      else {
        out[type].push(rect(a, top, b - a, g.barHeight));
        [a, b] = [c, d];
      }
    }
    out[type].push(rect(a, top, b - a, g.barHeight));
  }
}

/** Heights (in half pixels) of each outcome's share of every column: fail on top, then info, then ok. */
function columnStacks(ops: TimedOp[], x: Scale, g: LaneGeometry): { left: number; stacks: Int16Array[] } {
  const [left, right] = x.range;
  const columns = Math.max(1, Math.ceil(right - left));
  const cover = OUTCOMES.map(() => new Float64Array(columns));
  for (const op of ops) {
    const [x0, x1] = extent(op, x, g.openEnd);
    const a = Math.max(0, x0 - left);
    const b = Math.min(columns, Math.max(x1 - left, a + 0.05));
    const row = cover[OUTCOMES.indexOf(op.type)];
    for (let c = Math.floor(a); c < b; c++) row[c] += Math.min(b, c + 1) - Math.max(a, c);
  }
  const full = Math.round(g.barHeight * 2);
  const minimum = MIN_STACK_PX * 2;
  const stacks = OUTCOMES.map(() => new Int16Array(columns));
  const [ok, info, fail] = [0, 1, 2];
  for (let c = 0; c < columns; c++) {
    const total = cover[ok][c] + cover[info][c] + cover[fail][c];
    if (total <= 0) continue;
    const share = (t: number) => (cover[t][c] > 0 ? Math.max(minimum, Math.round((full * cover[t][c]) / total)) : 0);
    const f = Math.min(full, share(fail));
    let i = Math.min(full - f, share(info));
    // Rounding leftovers go to ok when it is there, else to whichever outcome is.
    if (cover[ok][c] === 0 && cover[info][c] > 0) i = full - f;
    stacks[fail][c] = cover[ok][c] === 0 && cover[info][c] === 0 ? full : f;
    stacks[info][c] = i;
    stacks[ok][c] = full - stacks[fail][c] - i;
  }
  return { left, stacks };
}

function denseLane(ops: TimedOp[], x: Scale, top: number, g: LaneGeometry, out: Paths): void {
  const { left, stacks } = columnStacks(ops, x, g);
  const [ok, info, fail] = stacks;
  const columns = ok.length;
  // Stacked from the top: fail, info, ok. Equal neighbouring columns merge into one rectangle.
  const layers: { type: Completion; offset: (c: number) => number; height: Int16Array }[] = [
    { type: 'fail', offset: () => 0, height: fail },
    { type: 'info', offset: (c) => fail[c], height: info },
    { type: 'ok', offset: (c) => fail[c] + info[c], height: ok },
  ];
  for (const { type, offset, height } of layers) {
    let start = -1;
    for (let c = 0; c <= columns; c++) {
      const same = start >= 0 && c < columns && height[c] === height[start] && offset(c) === offset(start);
      if (same) continue;
      if (start >= 0 && height[start] > 0) out[type].push(rect(left + start, top + offset(start) / 2, c - start, height[start] / 2));
      start = c < columns ? c : -1;
    }
  }
}

export function opBarPaths(ops: readonly TimedOp[], x: Scale, g: LaneGeometry): { svg: string; dense: boolean } {
  const byLane = new Map<number, TimedOp[]>();
  for (const op of ops) {
    const top = g.laneTop.get(op.process);
    if (top === undefined) continue;
    let list = byLane.get(top);
    if (!list) byLane.set(top, (list = []));
    list.push(op);
  }
  const out: Paths = { ok: [], info: [], fail: [] };
  const width = x.range[1] - x.range[0];
  let dense = false;
  for (const [top, laneOps] of byLane) {
    if (laneOps.length > width * DENSE_OPS_PER_PX) {
      dense = true;
      denseLane(laneOps, x, top, g, out);
    } else sparseLane(laneOps, x, top, g, out);
  }
  const svg = OUTCOMES.map((t) => (out[t].length ? `<path class="ops ${t}" fill="${OUTCOME_COLORS[t]}" d="${out[t].join('')}"/>` : '')).join('');
  return { svg, dense };
}
