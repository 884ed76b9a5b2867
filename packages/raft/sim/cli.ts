// The simulator's command line.
//   sim --seed N          replay one seed: a summary, and the last events if it fails
//   sim --seeds A..B      run a range; ends with "<count> seeds, <violations> violations"

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { brokenCores, type BrokenCoreName } from './broken-cores.js';
import { runSeedRangeParallel } from './parallel.js';
import { parseSeedRange, runSeedRange, type RangeReport, type SeedFailure } from './seed-range.js';
import { runSimulation, type SimResult } from './simulation.js';

const USAGE = `usage: sim --seed N [--trace LINES] [--verbose] [--core NAME]
       sim --seeds A..B [--workers N] [--trace LINES] [--core NAME]

  --seed N        replay one seed; prints a summary, and the last events when it fails
  --seeds A..B    run seeds A to B (inclusive); prints failing seeds as they fail and ends with
                  "<count> seeds, <violations> violations"; exits 0 only without violations
  --workers N     worker threads for --seeds (default 1; "auto" = one per core)
  --trace LINES   events shown for a failing seed (default 50)
  --verbose       with --seed: show the events even when the seed passes
  --core NAME     run a deliberately broken core: ${Object.keys(brokenCores).join(', ')}
`;

class UsageError extends Error {}

interface CliOptions {
  seed?: number;
  range?: { from: number; to: number };
  workers: number;
  traceLines: number;
  verbose: boolean;
  core?: BrokenCoreName;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' },
        seeds: { type: 'string' },
        workers: { type: 'string', default: '1' },
        trace: { type: 'string', default: '50' },
        verbose: { type: 'boolean', default: false },
        core: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if ((v.seed === undefined) === (v.seeds === undefined)) throw new UsageError('give exactly one of --seed N or --seeds A..B');
  const options: CliOptions = {
    workers: v.workers === 'auto' ? availableParallelism() : positiveInt('--workers', v.workers),
    traceLines: positiveInt('--trace', v.trace),
    verbose: v.verbose,
  };
  if (v.core !== undefined) {
    if (!(v.core in brokenCores)) throw new UsageError(`unknown --core "${v.core}"; known: ${Object.keys(brokenCores).join(', ')}`);
    options.core = v.core as BrokenCoreName;
  }
  try {
    if (v.seed !== undefined) {
      const r = parseSeedRange(v.seed);
      if (r.from !== r.to) throw new Error(`--seed takes one seed; use --seeds for a range`);
      options.seed = r.from;
    } else {
      options.range = parseSeedRange(v.seeds!);
    }
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return options;
}

function positiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} wants a positive integer, got "${text}"`);
  return Number(text);
}

function replayOne(seed: number, options: CliOptions): number {
  const core = options.core ? brokenCores[options.core] : undefined;
  const result = runSimulation({ seed, core, traceLines: options.traceLines, keepTrace: options.verbose });
  console.log(summarize(result));
  if (result.trace.length > 0) {
    console.log(`\nlast ${result.trace.length} events (time in ticks):`);
    for (const line of result.trace) console.log(line);
  }
  if (!result.ok) {
    console.log('\nnodes at the end:');
    for (const line of result.nodes) console.log(`  ${line}`);
    console.log(`\nVIOLATION (seed ${seed}): ${result.violation}`);
    return 1;
  }
  console.log('\nOK: no violations');
  return 0;
}

function summarize(r: SimResult): string {
  const p = r.params;
  const s = r.stats;
  const net = p.network;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `seed ${r.seed} (${p.profile}): ${p.clusterSize} founding voters, ${s.nodes} nodes in all; election ${p.raft.electionTick} ticks, heartbeat ${p.raft.heartbeatTick}; pre-vote ${onOff(p.raft.preVote)}, check-quorum ${onOff(p.raft.checkQuorum)}`,
    `network: delay ${net.minDelay}-${net.maxDelay}/100 tick, drop ${pct(net.dropRate)}, duplicate ${pct(net.duplicateRate)}, reorder ${pct(net.reorderRate)}`,
    `faults for ${p.faultTicks} ticks: ${s.partitions} partitions, ${s.crashes} crashes, ${s.membershipChanges} membership changes, ${s.transfers} leadership transfers, ${s.snapshotsInstalled} snapshots installed`,
    `raft: ${s.elections} elections, max term ${s.maxTerm}, ${s.committed} entries committed; ${s.delivered} messages delivered, ${s.dropped} dropped, ${s.duplicated} duplicated`,
    `clients: ${s.proposed} writes proposed, ${s.acked} acknowledged; ${s.reads} reads, ${s.readsServed} served`,
    `${s.events} events, ${r.endTick.toFixed(1)} ticks of virtual time` +
      (r.livenessTicks !== undefined ? `; a new write committed ${r.livenessTicks.toFixed(1)} ticks after the faults stopped` : ''),
  ].join('\n');
}

function onOff(b: boolean): string {
  return b ? 'on' : 'off';
}

async function runRange(range: { from: number; to: number }, options: CliOptions): Promise<number> {
  const started = performance.now();
  const onFailure = (f: SeedFailure) => console.log(`seed ${f.seed}: ${f.violation.split('\n')[0]}`);
  const report: RangeReport =
    options.workers > 1
      ? await runSeedRangeParallel(range.from, range.to, { workers: options.workers, core: options.core, traceLines: options.traceLines, onFailure })
      : runSeedRange(range.from, range.to, { core: options.core, traceLines: options.traceLines, onFailure });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `ran in ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(1, report.count)).toFixed(2)} ms/seed, ${options.workers} worker${options.workers > 1 ? 's' : ''}); slowest recovery after faults: ${report.maxLivenessTicks.toFixed(1)} ticks`,
  );
  if (report.failures.length > 0) console.log(`replay one with: pnpm --filter @swarmlab/raft sim --seed ${report.failures[0].seed}`);
  console.log(`${report.count} seeds, ${report.violations} violations`);
  return report.violations === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`sim: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (options.seed !== undefined) return replayOne(options.seed, options);
  return runRange(options.range!, options);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 2;
  },
);
