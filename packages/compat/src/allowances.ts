// Sorting differences into the deliberate ones (listed with a reason), the known swarmlab bugs
// (listed until fixed) and the rest, which fail the test. A known bug that no longer shows is
// reported too, so its entry gets removed when the bug is fixed.

import type { Difference } from './compare.js';

export type Matcher = string | RegExp;

export interface Allowance {
  step: Matcher;
  where: Matcher;
  real?: Matcher;
  swarmlab?: Matcher;
  /** Why this difference is deliberate, or what the bug is. */
  reason: string;
}

export interface Triage {
  unexplained: Difference[];
  deliberate: Difference[];
  bugs: Difference[];
  /** Expected bugs that matched no difference: fixed, so the entry should go. */
  fixedBugs: Allowance[];
}

function matches(m: Matcher | undefined, value: string): boolean {
  if (m === undefined) return true;
  return typeof m === 'string' ? m === value : m.test(value);
}

export function allows(a: Allowance, d: Difference): boolean {
  return matches(a.step, d.step) && matches(a.where, d.where) && matches(a.real, d.real) && matches(a.swarmlab, d.swarmlab);
}

export function triage(differences: Difference[], deliberate: Allowance[], expectedBugs: Allowance[]): Triage {
  const result: Triage = { unexplained: [], deliberate: [], bugs: [], fixedBugs: [] };
  const bugHits = new Set<Allowance>();
  for (const d of differences) {
    if (deliberate.some((a) => allows(a, d))) {
      result.deliberate.push(d);
      continue;
    }
    const bug = expectedBugs.find((a) => allows(a, d));
    if (bug) {
      bugHits.add(bug);
      result.bugs.push(d);
    } else {
      result.unexplained.push(d);
    }
  }
  result.fixedBugs = expectedBugs.filter((b) => !bugHits.has(b));
  return result;
}

const clip = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

export function formatDifferences(differences: Difference[]): string {
  return differences
    .map((d) => `[${d.step}] ${d.where}\n    real:     ${clip(JSON.stringify(d.real))}\n    swarmlab: ${clip(JSON.stringify(d.swarmlab))}`)
    .join('\n');
}
