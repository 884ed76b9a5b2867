// pnpm bench (in packages/chaos) — the linearizability checker on simulated register histories:
// concurrent clients on 3 keys, a small value range (as the chaos workload uses), some
// indeterminate operations. Each case runs in fresh processes, so its time is a cold check (as
// `swarmlab chaos check` does it) and its peak RSS is its own; the median of three runs is shown.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkLinearizability, simulateRegisterHistory } from '../src/index.js';

interface Case {
  label: string;
  operations: number;
  concurrency: number;
  infoRate: number;
  /** Corrupt one read in the middle to a value never written: the check must say invalid. */
  corrupt?: boolean;
}

const CASES: Case[] = [
  { label: '1k', operations: 1_000, concurrency: 8, infoRate: 0.02 },
  { label: '10k', operations: 10_000, concurrency: 8, infoRate: 0.02 },
  { label: '50k', operations: 50_000, concurrency: 8, infoRate: 0.02 },
  { label: '10k, 20% info', operations: 10_000, concurrency: 8, infoRate: 0.2 },
  { label: '10k, concurrency 32', operations: 10_000, concurrency: 32, infoRate: 0.05 },
  { label: '10k, 1 bad read', operations: 10_000, concurrency: 8, infoRate: 0.05, corrupt: true },
];
const TARGET_MS = 10_000;
const RUNS = 3;

interface Row {
  ops: number;
  keys: number;
  info: number;
  verdict: string;
  ms: number;
  steps: number;
  peakCacheEntries: number;
  peakRssMB: number;
  heapMB: number;
}

function runCase(c: Case, seed: number): Row {
  let history = simulateRegisterHistory({ seed, operations: c.operations, concurrency: c.concurrency, keys: 3, infoRate: c.infoRate });
  if (c.corrupt) {
    const reads = history.flatMap((l, i) => (l.type === 'ok' && l.f === 'read' ? [i] : []));
    const victim = reads[Math.floor(reads.length / 2)];
    const key = (history[victim].value as [string, unknown])[0];
    history = history.map((l, i) => (i === victim ? { ...l, value: [key, 1_000_000] } : l));
  }
  const started = performance.now();
  const r = checkLinearizability(history);
  const ms = performance.now() - started;
  const s = r.stats ?? {};
  return {
    ops: s.ops ?? 0,
    keys: s.keys ?? 0,
    info: s.indeterminate ?? 0,
    verdict: r.verdict,
    ms,
    steps: s.steps ?? 0,
    peakCacheEntries: s.peakCacheEntries ?? 0,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

function main(): number {
  let values;
  try {
    values = parseArgs({ args: process.argv.slice(2), options: { seed: { type: 'string', default: '1' }, case: { type: 'string' } }, strict: true }).values;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\nusage: bench [--seed N]`);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    console.error('bench: --seed wants a non-negative integer');
    return 2;
  }
  if (values.case !== undefined) {
    // A child: one case, its row as JSON.
    const c = CASES[Number(values.case)];
    if (!c) return 2;
    process.stdout.write(JSON.stringify(runCase(c, seed)));
    return 0;
  }

  console.log(`@swarmlab/chaos: linearizability checker, simulated CAS registers (3 keys, values 0-4), seed ${seed}, one fresh process per case`);
  console.log('case                   ops   keys   info  verdict       ms        ops/s       steps  cache entries  peak RSS MB  heap MB');
  let target: Row | undefined;
  const self = fileURLToPath(import.meta.url);
  for (let i = 0; i < CASES.length; i++) {
    const runs: Row[] = [];
    for (let run = 0; run < RUNS; run++) {
      const child = spawnSync(process.execPath, [...process.execArgv, self, '--case', String(i), '--seed', String(seed)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (child.status !== 0) {
        console.error(`case ${CASES[i].label} failed: ${child.stderr.trim() || `exit ${child.status}`}`);
        return 1;
      }
      runs.push(JSON.parse(child.stdout) as Row);
    }
    const row = runs.sort((x, y) => x.ms - y.ms)[Math.floor(RUNS / 2)];
    if (i === 1) target = row;
    const n = (x: number, w: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }).padStart(w);
    console.log(
      `${CASES[i].label.padEnd(20)} ${n(row.ops, 6)} ${n(row.keys, 6)} ${n(row.info, 6)}  ${row.verdict.padEnd(8)} ${n(row.ms, 8)} ${n(row.ops / (row.ms / 1000), 12)} ${n(row.steps, 11)} ${n(row.peakCacheEntries, 14)} ${n(row.peakRssMB, 12)} ${n(row.heapMB, 8)}`,
    );
  }
  if (target) {
    const met = target.verdict === 'valid' && target.ms <= TARGET_MS;
    console.log(`target: 10,000 operations with concurrency 8 checked in <= ${TARGET_MS / 1000} s: ${met ? 'met' : 'NOT met'} (${Math.round(target.ms)} ms)`);
  }
  return 0;
}

process.exitCode = main();
