// Completed operations per second over time, bucketed: ok as a filled area, fail and
// indeterminate as lines, so a stall under a fault stands out.

import { esc } from './escape.js';
import { formatNumber } from './format.js';
import type { ReportModel } from './model.js';
import type { Completion } from './operations.js';
import { OUTCOME_COLORS } from './palette.js';
import { linearScale, niceTicks, px, type Scale } from './scale.js';
import { PLOT_LEFT, PLOT_RIGHT, faultShading, svgOpen, timeAxis } from './svg-parts.js';

const HEIGHT = 180;
const TOP = 8;
const BOTTOM = HEIGHT - 24;
const TARGET_BUCKETS = 150;
const BUCKET_STEPS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 3_600_000];

export function bucketMs(spanMs: number): number {
  return BUCKET_STEPS_MS.find((s) => spanMs / s <= TARGET_BUCKETS) ?? Math.ceil(spanMs / TARGET_BUCKETS);
}

function stepPath(rates: number[], x: Scale, y: Scale, t0: number, bucket: number, closed: boolean): string {
  let d = `M${px(x(t0))} ${px(y(closed ? 0 : rates[0]))}`;
  rates.forEach((r, i) => {
    d += `V${px(y(r))}H${px(x(Math.min(t0 + (i + 1) * bucket, x.domain[1])))}`;
  });
  return closed ? `${d}V${px(y(0))}z` : d;
}

export function renderThroughputChart(model: ReportModel): { svg: string; bucketMs: number } {
  const [t0, t1] = model.span;
  const bucket = bucketMs(t1 - t0);
  const count = Math.max(1, Math.ceil((t1 - t0) / bucket));
  const counts: Record<Completion, number[]> = { ok: new Array(count).fill(0), fail: new Array(count).fill(0), info: new Array(count).fill(0) };
  for (const o of model.ops) {
    if (o.end === undefined) continue;
    const i = Math.min(count - 1, Math.max(0, Math.floor((o.end - t0) / bucket)));
    counts[o.type][i]++;
  }
  const perSecond = (list: number[]): number[] => list.map((n) => (n * 1000) / bucket);
  const ok = perSecond(counts.ok);
  const fail = perSecond(counts.fail);
  const info = perSecond(counts.info);
  const max = Math.max(1, ...ok, ...fail, ...info);

  const x = linearScale(model.span, [PLOT_LEFT, PLOT_RIGHT]);
  const y = linearScale([0, max * 1.05], [BOTTOM, TOP]);
  const yAxis = niceTicks(0, max * 1.05, 4)
    .map((v) => {
      const yy = px(y(v));
      return `<line class="grid" x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${yy}" y2="${yy}"/><text x="${PLOT_LEFT - 6}" y="${yy}" dy="4" text-anchor="end">${esc(formatNumber(v))}/s</text>`;
    })
    .join('');
  const lines = (['fail', 'info'] as const)
    .filter((t) => counts[t].some((n) => n > 0))
    .map((t) => `<path fill="none" stroke="${OUTCOME_COLORS[t]}" stroke-width="1.5" d="${stepPath(t === 'fail' ? fail : info, x, y, t0, bucket, false)}"/>`)
    .join('');
  const area = `<path fill="${OUTCOME_COLORS.ok}" fill-opacity="0.35" stroke="${OUTCOME_COLORS.ok}" d="${stepPath(ok, x, y, t0, bucket, true)}"/>`;
  const empty = model.ops.some((o) => o.end !== undefined) ? '' : `<text class="empty" x="${PLOT_LEFT + 4}" y="${TOP + 16}">no completed operations</text>`;
  const svg = `${svgOpen(HEIGHT, 'Completed operations per second over time')}${faultShading(model.faults, x, TOP, BOTTOM)}<g class="axis">${yAxis}</g>${timeAxis(x, TOP, BOTTOM)}${area}${lines}${empty}</svg>`;
  return { svg, bucketMs: bucket };
}
