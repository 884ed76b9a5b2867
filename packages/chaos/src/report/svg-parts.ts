// Pieces every time chart shares: the page-wide horizontal layout, the time axis with its grid,
// fault shading, and packing of labelled intervals into rows.

import { esc } from './escape.js';
import type { FaultWindow } from './faults.js';
import { formatSeconds } from './format.js';
import { faultColor } from './palette.js';
import { niceTicks, px, type Scale } from './scale.js';

/** Every time chart uses the same width and plot area so their x axes line up on the page. */
export const CHART_WIDTH = 1200;
export const PLOT_LEFT = 96;
export const PLOT_RIGHT = CHART_WIDTH - 16;

/** The opening tag of a chart: scales with the page, keeps its aspect ratio. */
export function svgOpen(height: number, label: string, extra = ''): string {
  return `<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="${esc(label)}"${extra}>`;
}

/** Vertical grid lines from `top` to `bottom` and second labels under `bottom`. */
export function timeAxis(x: Scale, top: number, bottom: number): string {
  const [t0, t1] = x.domain;
  const ticks = niceTicks(t0, t1, 12);
  const parts = [`<g class="axis">`, `<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${px(bottom)}" y2="${px(bottom)}"/>`];
  for (const t of ticks) {
    const xt = px(x(t));
    parts.push(`<line class="grid" x1="${xt}" x2="${xt}" y1="${px(top)}" y2="${px(bottom)}"/>`);
    parts.push(`<text x="${xt}" y="${px(bottom + 14)}" text-anchor="middle">${esc(formatSeconds(t))}</text>`);
  }
  parts.push('</g>');
  return parts.join('');
}

/** Translucent bands behind the data, one per fault, colored by kind. */
export function faultShading(windows: readonly FaultWindow[], x: Scale, top: number, bottom: number): string {
  const [t0, t1] = x.domain;
  const parts = ['<g class="shade">'];
  for (const w of windows) {
    const a = Math.max(w.start, t0);
    const b = Math.min(w.end, t1);
    if (b < a) continue;
    const x0 = x(a);
    const width = Math.max(1, x(b) - x0);
    parts.push(`<rect x="${px(x0)}" y="${px(top)}" width="${px(width)}" height="${px(bottom - top)}" fill="${faultColor(w.kind)}"/>`);
  }
  parts.push('</g>');
  return parts.join('');
}

/** Greedy interval packing: the row for each item (in input order) so that items sharing a row
 * are at least `gap` apart; past `maxRows` items share the row that frees up first. */
export function packRows(items: readonly { x0: number; x1: number }[], gap: number, maxRows: number): { rows: number[]; count: number } {
  const order = items.map((_, i) => i).sort((a, b) => items[a].x0 - items[b].x0);
  const rowEnds: number[] = [];
  const rows = new Array<number>(items.length).fill(0);
  for (const i of order) {
    const { x0, x1 } = items[i];
    let row = rowEnds.findIndex((end) => end + gap <= x0);
    if (row < 0 && rowEnds.length < maxRows) row = rowEnds.length;
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = Math.max(rowEnds[row] ?? -Infinity, x1);
    rows[i] = row;
  }
  return { rows, count: rowEnds.length };
}

/** Average glyph width of the charts' 11 px labels, for fitting text without measuring it. */
export const CHAR_PX = 6.2;

/** The first of `texts` (longest form first) that fits in `width` pixels, cut to fit if none
 * does, or nothing when not even 3 characters fit. */
export function fitLabel(texts: string | readonly string[], width: number): string {
  const options = typeof texts === 'string' ? [texts] : texts;
  const fits = Math.floor((width - 6) / CHAR_PX);
  if (fits < 3 || !options.length) return '';
  const whole = options.find((t) => t.length <= fits);
  if (whole !== undefined) return whole;
  const last = options[options.length - 1];
  return `${last.slice(0, fits - 1)}…`;
}
