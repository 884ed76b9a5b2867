// Runs every checker over what a run left behind and folds their verdicts: invalid if any check
// is invalid, else unknown if any could not decide, else valid.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanAtRest } from '../at-rest.js';
import { checkConvergence } from '../convergence.js';
import { parseJsonLines } from '../jsonl.js';
import { checkLinearizability } from '../linearizability/index.js';
import { checkAcknowledgedWrites, checkRaftSafety } from '../safety.js';
import type { CheckResult, HistoryOp, LabEventLine, RegisterValue, Results, Schedule, Verdict } from '../types.js';
import type { ClusterSnapshot } from './observe.js';
import { expectedServices } from './services.js';

/** The process id of the reads made after healing. */
export const FINAL_READER = 1_000_000;

export interface CheckInput {
  dir: string;
  schedule: Schedule;
  history: HistoryOp[];
  snapshot: ClusterSnapshot | undefined;
  secrets: { name: string; value: Buffer }[];
  startedAt: Date;
}

function readEvents(dir: string): LabEventLine[] {
  const file = join(dir, 'events.jsonl');
  return existsSync(file) ? (parseJsonLines(readFileSync(file, 'utf8'), file).values as LabEventLine[]) : [];
}

function finalValues(history: HistoryOp[]): Map<string, RegisterValue> {
  const values = new Map<string, RegisterValue>();
  for (const op of history) {
    if (op.process !== FINAL_READER || op.type !== 'ok' || op.f !== 'read') continue;
    const [key, v] = op.value as [string, RegisterValue];
    values.set(key, v);
  }
  return values;
}

export function overall(checks: CheckResult[]): Verdict {
  if (checks.some((c) => c.verdict === 'invalid')) return 'invalid';
  if (checks.some((c) => c.verdict === 'unknown')) return 'unknown';
  return 'valid';
}

export async function runChecks(input: CheckInput): Promise<Results> {
  const t0 = Date.now();
  const checks: CheckResult[] = [];
  if (input.schedule.workload !== 'services') {
    // The whole history (the checkers skip non-register operations), so evidence cites real line numbers.
    checks.push(checkLinearizability(input.history));
    checks.push(checkAcknowledgedWrites(input.history, finalValues(input.history)));
  }
  checks.push(checkRaftSafety(readEvents(input.dir)));
  if (input.snapshot) {
    checks.push(checkConvergence(input.snapshot, expectedServices(input.history, input.snapshot.services)));
  } else {
    checks.push({ name: 'convergence', verdict: 'unknown', summary: 'the cluster was never observed after healing' });
  }
  checks.push(await scanAtRest([join(input.dir, 'nodes')], input.secrets));
  return {
    seed: input.schedule.seed,
    valid: overall(checks),
    checks,
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
  };
}
