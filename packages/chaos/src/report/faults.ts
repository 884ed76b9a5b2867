// Fault windows on the run's clock: when a fault really ran (applied) if the runner recorded it,
// otherwise when the schedule planned it.

import type { Fault } from '../types.js';

export interface FaultWindow {
  /** Position in schedule.faults, shown as "#n" so the table and the timeline point at each other. */
  index: number;
  fault: Fault;
  kind: string;
  /** Milliseconds since the run started. */
  start: number;
  end: number;
  /** The nodes it hit when known, else the planned target. */
  nodes: string[];
}

/** Anything this large is an epoch timestamp, not an offset (1e11 ms is in 1973). */
const EPOCH_MS_THRESHOLD = 1e11;

function toRunMs(t: unknown, runStartMs: number): number | undefined {
  if (typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (t > EPOCH_MS_THRESHOLD && Number.isFinite(runStartMs)) return t - runStartMs;
  return t;
}

export function targetText(target: unknown): string {
  if (Array.isArray(target)) return target.map(String).join(', ');
  return target === undefined || target === null ? '' : String(target);
}

export function faultWindows(faults: readonly unknown[], runStartMs: number): { windows: FaultWindow[]; warnings: string[] } {
  const windows: FaultWindow[] = [];
  let unusable = 0;
  faults.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) {
      unusable++;
      return;
    }
    const fault = raw as Fault;
    const planned = toRunMs(fault.at, NaN);
    const appliedAt = toRunMs(fault.applied?.at, runStartMs);
    const start = appliedAt ?? planned;
    if (start === undefined) {
      unusable++;
      return;
    }
    const duration = typeof fault.duration === 'number' && Number.isFinite(fault.duration) ? Math.max(0, fault.duration) : 0;
    const healed = toRunMs(fault.applied?.healedAt, runStartMs);
    const end = Math.max(start, healed ?? start + duration);
    const hit = Array.isArray(fault.applied?.nodes) ? fault.applied.nodes.map(String) : undefined;
    const nodes = hit ?? (Array.isArray(fault.target) ? fault.target.map(String) : []);
    windows.push({ index, fault, kind: String(fault.kind ?? 'unknown'), start, end, nodes });
  });
  const warnings = unusable ? [`${unusable} fault(s) in the schedule had no usable start time and are not drawn`] : [];
  return { windows, warnings };
}

/** "manager3" → "m3", "worker1" → "w1": node names short enough for a label on a few pixels. */
export function shortNode(name: string): string {
  return name.replace(/^manager(?=\d+$)/, 'm').replace(/^worker(?=\d+$)/, 'w');
}

/** The nodes a fault hit, as a short label: at most three names, then a count. */
export function nodesLabel(nodes: readonly string[]): string {
  const shown = nodes.slice(0, 3).map(shortNode).join(',');
  return nodes.length > 3 ? `${shown},+${nodes.length - 3}` : shown;
}
