// HTML legends above the charts.

import { esc } from './escape.js';
import type { ReportModel } from './model.js';
import { FAULT_COLORS, OUTCOME_COLORS, OUTCOME_LABELS, faultColor } from './palette.js';

export function outcomeLegend(): string {
  return (Object.keys(OUTCOME_COLORS) as (keyof typeof OUTCOME_COLORS)[])
    .map((t) => `<span><i style="background:${OUTCOME_COLORS[t]}"></i>${esc(OUTCOME_LABELS[t])}</span>`)
    .join('');
}

/** Every standard fault kind, plus any other kind the schedule used. */
export function faultLegend(model: ReportModel): string {
  const kinds = [...new Set([...Object.keys(FAULT_COLORS), ...model.faults.map((w) => w.kind)])];
  return kinds.map((k) => `<span><i class="shade" style="background:${faultColor(k)}"></i>${esc(k)}</span>`).join('');
}

export function timelineLegend(model: ReportModel): string {
  return `<div class="legend">${outcomeLegend()}<span><i class="marker"></i>new leader (node, term)</span></div><div class="legend">faults: ${faultLegend(model)}</div>`;
}
