// Everything the report draws, derived once from the run's files: operations on the run's clock,
// fault windows, leadership, the time span shown, and what had to be skipped.

import type { HistoryOp, LabEventLine, Results, Schedule } from '../types.js';
import { faultWindows, type FaultWindow } from './faults.js';
import { leadership, type Leadership } from './leaders.js';
import { pairOperations, type TimedOp } from './operations.js';

export interface ReportModel {
  ops: TimedOp[];
  /** The client processes in lane order. */
  processes: number[];
  faults: FaultWindow[];
  leaders: Leadership;
  /** The span of the time charts, in ms since the run started. */
  span: [number, number];
  warnings: string[];
}

function finiteOr(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

export function buildModel(schedule: Schedule, history: readonly HistoryOp[], results: Results, events: readonly LabEventLine[]): ReportModel {
  const warnings: string[] = [];
  const runStartMs = Date.parse(String(results?.startedAt));
  if (!Number.isFinite(runStartMs)) warnings.push('results.startedAt is not a date: leader changes cannot be placed on the timeline');
  const paired = pairOperations(Array.isArray(history) ? history : []);
  const faults = faultWindows(Array.isArray(schedule?.faults) ? schedule.faults : [], runStartMs);
  const leaders = Number.isFinite(runStartMs) ? leadership(Array.isArray(events) ? events : [], runStartMs) : { changes: [], tenures: [] };
  warnings.push(...paired.warnings, ...faults.warnings);

  let start = 0;
  let end = Math.max(1, finiteOr(schedule?.time, 0));
  for (const op of paired.ops) {
    start = Math.min(start, op.start);
    end = Math.max(end, op.end ?? op.start);
  }
  for (const w of faults.windows) {
    start = Math.min(start, w.start);
    end = Math.max(end, w.end);
  }
  // Leadership changes during the final heal and recovery belong on the chart; the ones logged
  // while the cluster was torn down afterwards do not.
  const runLength = finiteOr(results?.durationMs, 0);
  for (const c of leaders.changes) if (runLength <= 0 || c.at <= runLength) end = Math.max(end, c.at);

  const processes = [...new Set(paired.ops.map((o) => o.process))].sort((a, b) => a - b);
  return { ops: paired.ops, processes, faults: faults.windows, leaders, span: [start, end], warnings };
}
