// Completion latency of every operation against the time it completed, on a log scale. Points
// that land on the same pixel are drawn once, so the chart's size is bounded by its area.

import { esc } from './escape.js';
import { formatMs } from './format.js';
import type { ReportModel } from './model.js';
import type { Completion } from './operations.js';
import { OUTCOME_COLORS } from './palette.js';
import { decadeTicks, linearScale, logScale, px } from './scale.js';
import { PLOT_LEFT, PLOT_RIGHT, faultShading, svgOpen, timeAxis } from './svg-parts.js';

const HEIGHT = 240;
const TOP = 8;
const BOTTOM = HEIGHT - 24;
const DOT = 2.4;
/** Indeterminate on top: they are the slow ones a reader is looking for. */
const ORDER: Completion[] = ['ok', 'fail', 'info'];

export function renderLatencyChart(model: ReportModel): string {
  const done = model.ops.filter((o) => o.end !== undefined);
  const x = linearScale(model.span, [PLOT_LEFT, PLOT_RIGHT]);
  const open = svgOpen(HEIGHT, 'Operation latency over time, log scale');
  if (!done.length) {
    return `${open}${faultShading(model.faults, x, TOP, BOTTOM)}${timeAxis(x, TOP, BOTTOM)}<text class="empty" x="${PLOT_LEFT + 4}" y="${TOP + 16}">no completed operations</text></svg>`;
  }
  // Zero-length operations still need a place on a log axis: a microsecond is below anything real.
  const latencies = done.map((o) => Math.max(o.end! - o.start, 0.001));
  // A loop, not Math.min(...): spreading hundreds of thousands of arguments overflows the stack.
  let min = Infinity;
  let max = 0;
  for (const l of latencies) {
    min = Math.min(min, l);
    max = Math.max(max, l);
  }
  const lo = 10 ** Math.floor(Math.log10(min));
  const hi = 10 ** Math.ceil(Math.log10(max * 1.0001));
  const y = logScale([lo, Math.max(hi, lo * 10)], [BOTTOM, TOP]);

  const seen = new Set<string>();
  const paths = new Map<Completion, string[]>(ORDER.map((t) => [t, []]));
  done.forEach((o, i) => {
    const cx = Math.round(x(o.end!));
    const cy = Math.round(y(latencies[i]));
    const key = `${o.type}:${cx}:${cy}`;
    if (seen.has(key)) return;
    seen.add(key);
    paths.get(o.type)!.push(`M${cx - DOT / 2} ${cy - DOT / 2}h${DOT}v${DOT}h-${DOT}z`);
  });

  const yAxis = decadeTicks(y.domain[0], y.domain[1])
    .map((v) => {
      const yy = px(y(v));
      return `<line class="grid" x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${yy}" y2="${yy}"/><text x="${PLOT_LEFT - 6}" y="${yy}" dy="4" text-anchor="end">${esc(formatMs(v))}</text>`;
    })
    .join('');
  const dots = ORDER.map((t) => {
    const d = paths.get(t)!.join('');
    return d ? `<path fill="${OUTCOME_COLORS[t]}" fill-opacity="0.75" d="${d}"/>` : '';
  }).join('');
  return `${open}${faultShading(model.faults, x, TOP, BOTTOM)}<g class="axis">${yAxis}</g>${timeAxis(x, TOP, BOTTOM)}${dots}</svg>`;
}
