// A non-linearizable history, shown as the few operations around the first impossible point: the
// operation no order could place, the ones concurrent with it, the last linearized ones before
// it, and (faded) the other operations on the same key in that window.

import { esc, safeJson, truncate } from './escape.js';
import type { EvidenceOp, LinearizabilityEvidence } from './evidence-ops.js';
import { formatMs, formatSeconds, shortValue, valueKey } from './format.js';
import type { ReportModel } from './model.js';
import { OUTCOME_COLORS } from './palette.js';
import { linearScale, niceTicks, px, type Scale } from './scale.js';
import { CHART_WIDTH, PLOT_LEFT, PLOT_RIGHT } from './svg-parts.js';

type Role = 'failing' | 'concurrent' | 'prefix' | 'context';

interface Placed {
  op: EvidenceOp;
  role: Role;
}

const LANE = 26;
const TOP = 8;
const LAST_PREFIX_SHOWN = 8;
const MAX_CONTEXT = 30;
/** The window reaches this many "typical operation lengths" either side of the failing one. */
const REACH = 6;
const MIN_REACH_MS = 100;

function opLabel(op: EvidenceOp): string {
  return `${op.f} ${shortValue(op.value, 14)}`;
}

function colorOf(type: string): string {
  return type === 'ok' || type === 'fail' || type === 'info' ? OUTCOME_COLORS[type] : '#868e96';
}

function sameOp(a: EvidenceOp, b: EvidenceOp): boolean {
  return a.process === b.process && Math.abs(a.start - b.start) < 1e-3;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

/** The time around the failing operation. An operation that began long before (an indeterminate
 * write from seconds ago is concurrent with everything after it) is clipped, not followed. */
function zoomWindow(placed: Placed[], failing: EvidenceOp): [number, number] {
  const core: [number, number] = [failing.start, failing.end ?? failing.start];
  const lengths = placed.filter((p) => !p.op.indeterminate && p.op.end !== undefined).map((p) => p.op.end! - p.op.start);
  const reach = Math.max(MIN_REACH_MS, REACH * Math.max(core[1] - core[0], median(lengths)));
  let [lo, hi] = core;
  for (const { op } of placed) {
    if (op.start >= core[0] - reach) lo = Math.min(lo, op.start);
    if (op.end !== undefined && op.end <= core[1] + reach) hi = Math.max(hi, op.end);
  }
  const pad = Math.max((hi - lo) * 0.08, 2);
  return [lo - pad, hi + pad];
}

function placedOps(ev: LinearizabilityEvidence, model: ReportModel): { placed: Placed[]; window: [number, number] } {
  const placed: Placed[] = [{ op: ev.failing, role: 'failing' }, ...ev.concurrent.map((op) => ({ op, role: 'concurrent' as const }))];
  for (const op of ev.prefix.slice(-LAST_PREFIX_SHOWN)) if (!placed.some((p) => sameOp(p.op, op))) placed.push({ op, role: 'prefix' });
  const window = zoomWindow(placed, ev.failing);
  if (ev.key !== undefined) {
    const context = model.ops
      .filter((o) => valueKey(o.value) === ev.key && o.start <= window[1] && (o.end ?? Infinity) >= window[0])
      .map((o): EvidenceOp => ({ ...o, indeterminate: o.type === 'info' }))
      .filter((o) => !placed.some((p) => sameOp(p.op, o)))
      .slice(0, MAX_CONTEXT);
    placed.push(...context.map((op) => ({ op, role: 'context' as const })));
  }
  return { placed, window };
}

function opTitle(op: EvidenceOp, role: Role): string {
  const what = op.text ?? `p${op.process ?? '?'} ${op.f} ${truncate(safeJson(op.value), 120)} → ${op.type}`;
  const ended = op.end === undefined ? 'never completed' : `${formatSeconds(op.end)} (${formatMs(op.end - op.start)})`;
  const lines = [`${roleText(role, op)}: ${what}`, `${formatSeconds(op.start)} → ${ended}`];
  if (op.indeterminate) lines.push('indeterminate: it may take effect at any point after it began, or never');
  if (op.node) lines.push(`node ${op.node}`);
  if (op.error) lines.push(`error ${truncate(op.error, 200)}`);
  return lines.join('\n');
}

/** A solid bar for the time the operation was seen running, a dashed one for where an
 * indeterminate operation may still take effect; a ◀ when it began before the window. */
function opBar(op: EvidenceOp, role: Role, y: number, x: Scale, window: [number, number]): string {
  const [w0, w1] = window;
  const color = colorOf(op.type);
  const s = Math.max(op.start, w0);
  const seenEnd = Math.min(op.end ?? (op.indeterminate ? op.start : w1), w1);
  const parts: string[] = [];
  if (seenEnd >= s) parts.push(`<rect x="${px(x(s))}" y="${y}" width="${px(Math.max(2, x(seenEnd) - x(s)))}" height="${LANE - 8}" rx="3" fill="${color}" stroke="${color}"/>`);
  if (op.indeterminate && seenEnd < w1) {
    const from = Math.max(seenEnd, s);
    parts.push(`<rect class="maybe" x="${px(x(from))}" y="${y}" width="${px(x(w1) - x(from))}" height="${LANE - 8}" stroke="${color}"/>`);
  }
  const clipped = op.start < w0 ? `◀ ${formatSeconds(op.start)} ` : '';
  const label = `${clipped}${opLabel(op)}${role === 'failing' ? ' ✗' : ''}`;
  return `<g class="op ${role}"><title>${esc(opTitle(op, role))}</title>${parts.join('')}<text x="${px(x(s) + 4)}" y="${y + 13}">${esc(label)}</text></g>`;
}

function zoomedTimeline(placed: Placed[], window: [number, number]): string {
  const processes = [...new Set(placed.map((p) => p.op.process ?? -1))].sort((a, b) => a - b);
  const lane = new Map(processes.map((p, i) => [p, i]));
  const bottom = TOP + processes.length * LANE;
  const height = bottom + 22;
  const x = linearScale(window, [PLOT_LEFT, PLOT_RIGHT]);
  const parts = [`<svg class="chart zoom" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="Operations around the first impossible point">`];
  parts.push('<g class="axis">');
  for (const t of niceTicks(window[0], window[1], 8)) {
    const xt = px(x(t));
    parts.push(`<line class="grid" x1="${xt}" x2="${xt}" y1="${TOP}" y2="${bottom}"/><text x="${xt}" y="${bottom + 14}" text-anchor="middle">${esc(formatSeconds(t))}</text>`);
  }
  parts.push(`<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${bottom}" y2="${bottom}"/></g>`);
  processes.forEach((p, i) => {
    parts.push(`<text class="lane-label" x="${PLOT_LEFT - 8}" y="${TOP + i * LANE + 17}" text-anchor="end">${p < 0 ? '?' : `p${esc(p)}`}</text>`);
  });
  // Faded context first, the failing operation last so its outline is on top.
  for (const role of ['context', 'prefix', 'concurrent', 'failing'] as Role[]) {
    for (const { op } of placed.filter((p) => p.role === role)) parts.push(opBar(op, role, TOP + lane.get(op.process ?? -1)! * LANE + 4, x, window));
  }
  parts.push('</svg>');
  return parts.join('');
}

function roleText(role: Role, op: EvidenceOp): string {
  if (role === 'failing') return 'cannot be linearized';
  if (role === 'concurrent') return op.inPrefix === undefined ? 'concurrent' : op.inPrefix ? 'concurrent, in the prefix' : 'concurrent, not in the prefix';
  return role === 'prefix' ? 'end of the legal prefix' : 'same key (context)';
}

function opTable(placed: Placed[]): string {
  const shown = placed.filter((p) => p.role !== 'context').sort((a, b) => a.op.start - b.op.start);
  const withLines = shown.some((p) => p.op.lines !== undefined);
  const withAfter = shown.some((p) => p.op.valueAfter !== undefined);
  const rows = shown
    .map(({ op, role }) => {
      const latency = op.end === undefined ? 'never completed' : formatMs(op.end - op.start);
      const cells = [
        esc(roleText(role, op)),
        `p${esc(op.process ?? '?')}`,
        esc(op.f),
        `<code>${esc(truncate(safeJson(op.value), 160))}</code>`,
        `<span class="type ${esc(op.type)}">${esc(op.type)}</span>`,
        esc(formatSeconds(op.start)),
        esc(latency),
        esc(op.node ?? ''),
      ];
      if (withAfter) cells.push(op.valueAfter ? `<code>${esc(truncate(safeJson(op.valueAfter.value), 60))}</code>` : '');
      if (withLines) cells.push(esc(op.lines ?? ''));
      return `<tr class="${role}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  const heads = ['role', 'process', 'f', 'value', 'outcome', 'invoked', 'latency', 'node', ...(withAfter ? ['register after'] : []), ...(withLines ? ['history lines'] : [])];
  return `<table class="ops-table"><thead><tr>${heads.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

function lead(ev: LinearizabilityEvidence, placed: Placed[]): string {
  const key = ev.key === undefined ? '' : ` on key <code>${esc(ev.key)}</code>`;
  const of = ev.searched === undefined ? '' : ` of ${esc(ev.searched)}`;
  const prefix = ev.prefixLength === undefined ? '' : ` after a legal order of ${esc(ev.prefixLength)}${of} operations`;
  const register = ev.valueBefore === undefined ? '' : ` (register at <code>${esc(truncate(safeJson(ev.valueBefore.value), 60))}</code>)`;
  const shown = ev.concurrentTotal > ev.concurrent.length ? `the ${ev.concurrent.length} closest of ${ev.concurrentTotal}` : String(ev.concurrent.length);
  const faded = placed.some((p) => p.role === 'context') ? ' Faded bars are other operations on the same key in this window.' : '';
  const dashed = placed.some((p) => p.op.indeterminate) ? ' A dashed outline is an indeterminate operation, which may take effect at any point after it began.' : '';
  return (
    `<p class="evidence-lead">No legal order of the operations${key} explains what the clients saw: the operation marked ✗ could not be placed${prefix}${register}. ` +
    `Shown: ${esc(shown)} concurrent operation(s) and the end of the legal prefix.${faded}${dashed} Hover a bar for details.</p>`
  );
}

export function renderLinearizabilityView(ev: LinearizabilityEvidence, model: ReportModel): string {
  const { placed, window } = placedOps(ev, model);
  return [lead(ev, placed), `<div class="chart-box">${zoomedTimeline(placed, window)}</div>`, opTable(placed)].join('');
}
