// Runs a range of seeds one after the other and reports the ones that violate a property.

import { brokenCores, type BrokenCoreName } from './broken-cores.js';
import { runSimulation, type SimResult } from './simulation.js';

export interface SeedFailure {
  seed: number;
  violation: string;
  trace: string[];
}

export interface RangeReport {
  count: number;
  violations: number;
  failures: SeedFailure[];
  /** The slowest recovery after the faults stopped, in ticks. */
  maxLivenessTicks: number;
}

export interface RangeOptions {
  /** Run a deliberately broken core instead of the real one. */
  core?: BrokenCoreName;
  traceLines?: number;
  /** Called for each failing seed as soon as it fails. */
  onFailure?: (failure: SeedFailure) => void;
  /** Stop after this many failing seeds. */
  stopAfter?: number;
}

/** Parses "A..B" (inclusive) or a single seed "N". */
export function parseSeedRange(text: string): { from: number; to: number } {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw new Error(`bad seed range "${text}": expected A..B or N, with non-negative integers`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > 0xffffffff || to > 0xffffffff) {
    throw new Error(`bad seed range "${text}": seeds go from 0 to 4294967295`);
  }
  if (to < from) throw new Error(`bad seed range "${text}": ${to} is before ${from}`);
  return { from, to };
}

export function runSeedRange(from: number, to: number, options: RangeOptions = {}): RangeReport {
  const core = options.core ? brokenCores[options.core] : undefined;
  const report: RangeReport = { count: 0, violations: 0, failures: [], maxLivenessTicks: 0 };
  for (let seed = from; seed <= to; seed++) {
    const result: SimResult = runSimulation({ seed, core, traceLines: options.traceLines });
    report.count++;
    if (result.livenessTicks !== undefined) report.maxLivenessTicks = Math.max(report.maxLivenessTicks, result.livenessTicks);
    if (!result.ok) {
      const failure = { seed, violation: result.violation ?? 'unknown', trace: result.trace };
      report.violations++;
      report.failures.push(failure);
      options.onFailure?.(failure);
      if (options.stopAfter !== undefined && report.violations >= options.stopAfter) break;
    }
  }
  return report;
}
