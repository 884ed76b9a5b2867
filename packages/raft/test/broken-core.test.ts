// The simulator must bite: cores with classic Raft bugs are caught by its seeds. Each search is
// deterministic (same core, same seeds, same runs) and stops at the first seed that catches it.

import { describe, expect, it } from 'vitest';
import { brokenCores, drawParams, runSimulation, type BrokenCoreName, type SimProfile } from '../sim/index.js';

interface Expectation {
  core: BrokenCoreName;
  /** Only seeds of this profile are tried (Figure 8 needs leader churn to show). */
  profile?: SimProfile;
  /** The properties that may catch the bug. */
  caughtBy: RegExp;
}

const LIMIT = 20_000;

const cases: Expectation[] = [
  // Commits an earlier term's entry by counting replicas (Raft paper, Figure 8).
  { core: 'figure8', profile: 'churn', caughtBy: /^(leader completeness|committed entry changed|state-machine safety|acknowledged write)/ },
  // Grants votes to candidates whose log is behind.
  { core: 'vote-without-log-check', caughtBy: /^(leader completeness|committed entry changed|state-machine safety|acknowledged write|election safety)/ },
  // Forgets whom it voted for across a restart.
  { core: 'forget-vote', caughtBy: /^(election safety|leader completeness|committed entry changed|state-machine safety)/ },
];

function firstCatch({ core, profile }: Expectation): { seed: number; violation: string; tried: number } | undefined {
  let tried = 0;
  for (let seed = 1; seed <= LIMIT; seed++) {
    if (profile && drawParams(seed).profile !== profile) continue;
    tried++;
    const r = runSimulation({ seed, core: brokenCores[core] });
    // A liveness failure is no proof of the safety bug; keep looking.
    if (!r.ok && !r.violation!.startsWith('liveness')) return { seed, violation: r.violation!, tried };
  }
  return undefined;
}

describe('the simulator catches broken cores', () => {
  for (const c of cases) {
    it(`catches the ${c.core} core`, { timeout: 120_000 }, () => {
      const caught = firstCatch(c);
      expect(caught, `no seed up to ${LIMIT} caught ${c.core}`).toBeDefined();
      expect(caught!.violation).toMatch(c.caughtBy);
      // The real core passes the very seed that caught the broken one.
      const real = runSimulation({ seed: caught!.seed });
      expect(real.violation).toBeUndefined();
    });
  }
});
