// The main timeline: fault windows as labelled bars on top, the leader lane, then one lane per
// client with each operation from invoke to completion, all over shaded fault windows.

import { esc, jsonForScript, truncate } from './escape.js';
import { nodesLabel, shortNode, targetText, type FaultWindow } from './faults.js';
import { formatMs, formatSeconds } from './format.js';
import type { Leadership } from './leaders.js';
import type { ReportModel } from './model.js';
import { opBarPaths } from './op-bars.js';
import { hoverData } from './op-hover-data.js';
import { faultColor, nodeColors } from './palette.js';
import { linearScale, px, type Scale } from './scale.js';
import { CHAR_PX, PLOT_LEFT, PLOT_RIGHT, faultShading, fitLabel, packRows, svgOpen, timeAxis } from './svg-parts.js';

const ROW = 18;
const GAP = 8;
const MAX_FAULT_ROWS = 6;
const MAX_LEADER_ROWS = 3;
/** The op lanes share about this much height; each lane stays between the bounds below. */
const LANES_HEIGHT = 520;
const MIN_LANE = 3;
const MAX_LANE = 20;

export const TIMELINE_DATA_ID = 'timeline-ops';

function faultTitle(w: FaultWindow): string {
  const f = w.fault;
  const lines = [
    `#${w.index + 1} ${w.kind} ${f.action ?? ''} — target ${targetText(f.target)}`,
    `${formatSeconds(w.start)} → ${formatSeconds(w.end)} (${formatMs(w.end - w.start)})`,
  ];
  if (w.nodes.length) lines.push(`nodes: ${w.nodes.join(', ')}`);
  if (f.params && typeof f.params === 'object') lines.push(`params: ${Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (f.applied?.note) lines.push(`note: ${f.applied.note}`);
  return lines.join('\n');
}

/** Labels may run past a short fault's bar: rows are packed by label width so none is cut. */
function faultRows(windows: readonly FaultWindow[], x: Scale, top: number): { svg: string; height: number } {
  if (!windows.length) return { svg: '', height: 0 };
  // The nodes it hit when known, else what it was aimed at.
  const labels = windows.map((w) => truncate(`#${w.index + 1} ${w.fault.action ?? w.kind} ${nodesLabel(w.nodes) || targetText(w.fault.target)}`.trim(), 40));
  const bars = windows.map((w) => ({ x0: x(w.start), x1: Math.max(x(w.end), x(w.start) + 2) }));
  const boxes = bars.map((b, i) => ({ x0: b.x0, x1: Math.max(b.x1, b.x0 + 6 + labels[i].length * CHAR_PX) }));
  const { rows, count } = packRows(boxes, 4, MAX_FAULT_ROWS);
  const parts = [`<g class="faults"><text class="lane-label" x="${PLOT_LEFT - 8}" y="${px(top + 12)}" text-anchor="end">faults</text>`];
  windows.forEach((w, i) => {
    const { x0, x1 } = bars[i];
    const y = top + rows[i] * ROW;
    const color = faultColor(w.kind);
    // Past the right edge there is no room to run on: cut the label instead.
    const label = boxes[i].x1 > PLOT_RIGHT + 16 ? fitLabel(labels[i], PLOT_RIGHT + 16 - x0) : labels[i];
    parts.push(
      `<g><title>${esc(faultTitle(w))}</title>` +
        `<rect x="${px(x0)}" y="${px(y + 1)}" width="${px(x1 - x0)}" height="${ROW - 3}" rx="2" fill="${color}" fill-opacity="0.22" stroke="${color}"/>` +
        (label ? `<text x="${px(x0 + 3)}" y="${px(y + 12)}">${esc(label)}</text>` : '') +
        '</g>',
    );
  });
  parts.push('</g>');
  return { svg: parts.join(''), height: count * ROW };
}

function leaderLane(leaders: Leadership, x: Scale, top: number): { svg: string; height: number } {
  const [t0, t1] = x.domain;
  const visible = leaders.tenures.filter((t) => t.end >= t0 && t.start <= t1);
  const colors = nodeColors(leaders.tenures.map((t) => t.node));
  const boxes = visible.map((t) => ({ x0: x(Math.max(t.start, t0)), x1: x(Math.min(t.end, t1)) }));
  const { rows, count } = packRows(boxes, 0, MAX_LEADER_ROWS);
  const height = Math.max(1, count) * ROW;
  const parts = [`<g class="leaders"><text class="lane-label" x="${PLOT_LEFT - 8}" y="${px(top + 12)}" text-anchor="end">leader</text>`];
  if (!visible.length) parts.push(`<text class="empty" x="${PLOT_LEFT + 4}" y="${px(top + 12)}">no leader changes recorded</text>`);
  visible.forEach((t, i) => {
    const { x0, x1 } = boxes[i];
    const y = top + rows[i] * ROW;
    const term = t.term === undefined ? '' : ` t${t.term}`;
    const until = Number.isFinite(t.end) ? formatSeconds(t.end) : 'the end';
    const label = fitLabel([`${t.node}${term}`, `${shortNode(t.node)}${term}`], x1 - x0);
    parts.push(
      `<g><title>${esc(`${t.node} led${t.term === undefined ? '' : ` term ${t.term}`} from ${formatSeconds(t.start)} to ${until}`)}</title>` +
        `<rect x="${px(x0)}" y="${px(y + 2)}" width="${px(Math.max(1, x1 - x0))}" height="${ROW - 5}" fill="${colors.get(t.node)}" fill-opacity="0.85"/>` +
        (label ? `<text class="on-dark" x="${px(x0 + 3)}" y="${px(y + 12)}">${esc(label)}</text>` : '') +
        '</g>',
    );
  });
  for (const c of leaders.changes) {
    if (c.at < t0 || c.at > t1) continue;
    const xc = x(c.at);
    const term = c.term === undefined ? '' : ` in term ${c.term}`;
    parts.push(
      `<path class="marker" d="M${px(xc - 4)} ${px(top)}h8l-4 6z"><title>${esc(`${c.node} became leader${term} at ${formatSeconds(c.at)}`)}</title></path>`,
    );
  }
  parts.push('</g>');
  return { svg: parts.join(''), height };
}

function laneHeight(lanes: number): number {
  return Math.max(MIN_LANE, Math.min(MAX_LANE, Math.floor(LANES_HEIGHT / Math.max(1, lanes))));
}

/** The timeline's SVG and hover data; `dense` when some lane was drawn as stacked outcome columns. */
export function renderTimeline(model: ReportModel): { html: string; dense: boolean } {
  const x = linearScale(model.span, [PLOT_LEFT, PLOT_RIGHT]);
  const faults = faultRows(model.faults, x, 6);
  const leaderTop = 6 + faults.height + (faults.height ? GAP : 0);
  const leaders = leaderLane(model.leaders, x, leaderTop);
  const lanesTop = leaderTop + leaders.height + GAP;
  const lane = laneHeight(model.processes.length);
  const lanesBottom = lanesTop + Math.max(1, model.processes.length) * lane;
  const height = lanesBottom + 24;

  const laneTop = new Map(model.processes.map((p, i) => [p, lanesTop + i * lane + (lane > 6 ? 2 : 0.5)]));
  const barHeight = lane > 6 ? lane - 4 : Math.max(1.5, lane - 1);
  // Label every lane when there is room, else about every 20 px.
  const labelEvery = Math.max(1, Math.ceil(11 / lane));
  const labels = model.processes
    .map((p, i) => (i % labelEvery ? '' : `<text class="lane-label" x="${PLOT_LEFT - 8}" y="${px(lanesTop + i * lane + Math.min(lane, 14) / 2 + 4)}" text-anchor="end">p${esc(p)}</text>`))
    .join('');
  const bars = opBarPaths(model.ops, x, { laneTop, barHeight, openEnd: model.span[1] });
  const data = hoverData(model.ops, model.processes, { x0: PLOT_LEFT, x1: PLOT_RIGHT, t0: model.span[0], t1: model.span[1], top: lanesTop, laneHeight: lane });

  const html = [
    svgOpen(height, 'Timeline of operations per client with fault windows and leader changes', ` data-hover="${TIMELINE_DATA_ID}"`),
    faultShading(model.faults, x, leaderTop, lanesBottom),
    timeAxis(x, leaderTop, lanesBottom),
    faults.svg,
    leaders.svg,
    labels,
    model.ops.length ? bars.svg : `<text class="empty" x="${PLOT_LEFT + 4}" y="${px(lanesTop + 14)}">no operations recorded</text>`,
    `<rect class="hit" x="${PLOT_LEFT}" y="${px(lanesTop)}" width="${PLOT_RIGHT - PLOT_LEFT}" height="${px(lanesBottom - lanesTop)}"/>`,
    '</svg>',
    `<script type="application/json" id="${TIMELINE_DATA_ID}">${jsonForScript(data)}</script>`,
  ].join('');
  return { html, dense: bars.dense };
}
