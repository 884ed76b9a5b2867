// pnpm bench:chaos — how many 60-second chaos runs fit in an hour on this machine: one full run
// (fresh 5-manager/3-worker cluster, register workload, partition+kill faults, heal, recovery,
// every check, report, teardown) timed end to end, phase by phase.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareNodeProgram } from '@swarmlab/launcher';
import { runChaos } from '../src/run/index.js';

const TIME_MS = Number(process.env.BENCH_CHAOS_MS ?? 60_000);
const home = mkdtempSync(join(tmpdir(), 'swarmlab-bench-chaos-'));
try {
  await prepareNodeProgram();
  const marks: [string, number][] = [];
  const t0 = performance.now();
  let last = t0;
  const run = await runChaos({
    managers: 5,
    workers: 3,
    time: TIME_MS,
    seed: 1,
    home,
    out: join(home, 'run'),
    onProgress: (line) => {
      const now = performance.now();
      marks.push([line, now - last]);
      last = now;
    },
  });
  const total = performance.now() - t0;
  const ops = run.results.checks.find((c) => c.name === 'linearizability')?.stats?.ops;
  console.log('\n| phase (ends with) | seconds |\n|---|---|');
  for (const [line, ms] of marks) console.log(`| ${line} | ${(ms / 1000).toFixed(1)} |`);
  console.log(`| checks, report, teardown | ${((performance.now() - last) / 1000).toFixed(1)} |`);
  console.log('\n| metric | value |\n|---|---|');
  console.log(`| workload time | ${TIME_MS / 1000} s |`);
  console.log(`| whole run, end to end | ${(total / 1000).toFixed(1)} s |`);
  console.log(`| runs of this length per hour | ${Math.floor(3_600_000 / total)} |`);
  console.log(`| register operations checked | ${ops ?? '-'} |`);
  console.log(`| verdict | ${run.results.valid} |`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
