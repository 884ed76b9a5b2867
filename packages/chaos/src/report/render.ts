// renderReport: one self-contained HTML page for a chaos run — no server, no network, no
// external fonts or scripts; every string from the run's files is escaped.

import type { HistoryOp, LabEventLine, Results, Schedule, Verdict } from '../types.js';
import { renderChecks } from './checks-section.js';
import { esc } from './escape.js';
import { formatMs } from './format.js';
import { renderHeader } from './header.js';
import { HOVER_SCRIPT } from './hover-script.js';
import { renderLatencyChart } from './latency-chart.js';
import { faultLegend, outcomeLegend, timelineLegend } from './legend.js';
import { buildModel } from './model.js';
import { PAGE_STYLE } from './page-style.js';
import { renderScheduleTable } from './schedule-table.js';
import { renderThroughputChart } from './throughput-chart.js';
import { renderTimeline } from './timeline.js';

export interface ReportInput {
  schedule: Schedule;
  history: HistoryOp[];
  results: Results;
  events: LabEventLine[];
  title?: string;
  /** The run folder, for the replay command shown in the header. */
  runDir?: string;
  /** Problems found while reading the files, shown at the top of the page. */
  warnings?: string[];
}

/** results.valid when it is a verdict, else the worst verdict of the checks. */
function overallVerdict(results: Results, checks: readonly unknown[]): Verdict {
  if (results.valid === 'valid' || results.valid === 'invalid' || results.valid === 'unknown') return results.valid;
  const verdicts = checks.map((c) => (c as { verdict?: unknown })?.verdict);
  if (verdicts.includes('invalid')) return 'invalid';
  if (!verdicts.length || verdicts.some((v) => v !== 'valid')) return 'unknown';
  return 'valid';
}

export function renderReport(input: ReportInput): string {
  const schedule = (input.schedule ?? {}) as Schedule;
  const checks: unknown[] = Array.isArray(input.results?.checks) ? input.results.checks : [];
  const results = { ...(input.results ?? {}), checks } as Results;
  results.valid = overallVerdict(results, checks);
  const model = buildModel(schedule, input.history, results, input.events);
  model.warnings.unshift(...(input.warnings ?? []).map(String));
  const title = input.title ?? `swarmlab chaos run · seed ${schedule.seed ?? results.seed ?? '?'}`;
  const timeline = renderTimeline(model);
  const throughput = renderThroughputChart(model);
  const faults: unknown[] = Array.isArray(schedule.faults) ? schedule.faults : [];

  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)} — ${esc(results.valid)}</title>`,
    `<style>${PAGE_STYLE}</style></head><body>`,
    renderHeader(title, schedule, results, model, input.runDir),
    '<h2>Timeline</h2>',
    `<p class="caption">Time since the run started. Each lane is one client; a bar runs from invoke to completion. Shaded bands are fault windows; hover a fault, a leader or an operation for details.${timeline.dense ? ' Lanes too dense to draw every operation show, in each pixel column, the share of each outcome (failures on top, at least one pixel each).' : ''}</p>`,
    timelineLegend(model),
    `<div class="chart-box">${timeline.html}</div>`,
    '<h2>Latency</h2>',
    '<p class="caption">Latency of each completed operation at its completion time (log scale).</p>',
    `<div class="legend">${outcomeLegend()}</div><div class="legend">faults: ${faultLegend(model)}</div>`,
    `<div class="chart-box">${renderLatencyChart(model)}</div>`,
    '<h2>Throughput</h2>',
    `<p class="caption">Completed operations per second, in ${esc(formatMs(throughput.bucketMs))} buckets: ok as the filled area, fail and indeterminate as lines.</p>`,
    `<div class="chart-box">${throughput.svg}</div>`,
    '<h2>Checks</h2>',
    renderChecks(checks, model),
    '<h2>Fault schedule</h2>',
    renderScheduleTable(faults, model.faults),
    '<div id="tip" role="tooltip"></div>',
    `<script>${HOVER_SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
}
