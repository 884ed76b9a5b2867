// swarmlab chaos run | replay DIR | check DIR: a seeded fault schedule against a fresh cluster
// with a workload through the Docker API, then the checkers; exit 0 valid, 1 invalid, 2 unknown.

import type { ChaosRun, ChaosRunOptions, NemesisKind, Results } from '@swarmlab/chaos';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { out, printJson, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { capacityProblems, readCapacity } from '../guard-rails.js';
import { progress } from '../progress.js';

export interface ChaosFlags {
  managers?: number;
  workers?: number;
  time?: number;
  nemesis?: NemesisKind[];
  interval?: number;
  workload?: 'register' | 'services' | 'mixed';
  concurrency?: number;
  seed?: number;
  out?: string;
  profile?: 'fast' | 'docker';
  json?: boolean;
}

const EXIT = { valid: 0, invalid: 1, unknown: 2 } as const;

/** Loaded on use: the other commands should not pay for the checkers at start-up. */
const chaosLib = () => import('@swarmlab/chaos');

function summarize(ctx: Context, run: ChaosRun, json: boolean | undefined): void {
  const { results, dir } = run;
  ctx.exitCode = EXIT[results.valid];
  if (json) return printJson(ctx, { dir, report: join(dir, 'report.html'), ...results });
  out(ctx, '');
  out(ctx, `seed ${results.seed} · ${(results.durationMs / 1000).toFixed(1)} s · verdict: ${results.valid.toUpperCase()}`);
  for (const c of results.checks) out(ctx, `  ${c.verdict === 'valid' ? '✓' : c.verdict === 'invalid' ? '✗' : '?'} ${c.name.padEnd(22)} ${c.verdict.padEnd(8)} ${c.summary}`);
  out(ctx, '');
  out(ctx, `run folder: ${dir}`);
  out(ctx, `report:     ${join(dir, 'report.html')}`);
  out(ctx, `replay:     swarmlab chaos replay ${dir}`);
}

function capacity(managers: number, workers: number): void {
  const problems = capacityProblems(managers + workers, readCapacity());
  if (problems.length > 0) throw new UserError(`not starting ${managers + workers} nodes:\n  - ${problems.join('\n  - ')}`);
}

export async function chaosRun(ctx: Context, flags: ChaosFlags): Promise<void> {
  capacity(flags.managers ?? 5, flags.workers ?? 3);
  const p = progress(ctx, 'chaos: preparing', flags.json ?? false);
  const options: ChaosRunOptions = { ...flags, home: ctx.home, onProgress: (l) => p.update(`chaos: ${l}`) };
  const run = await (await chaosLib()).runChaos(options);
  p.succeed('chaos: done');
  summarize(ctx, run, flags.json);
}

function runFolder(dir: string): string {
  const path = resolve(dir);
  if (!existsSync(join(path, 'schedule.json'))) throw new UserError(`${dir} is not a chaos run folder (no schedule.json)`);
  return path;
}

export async function chaosReplay(ctx: Context, dir: string, flags: { out?: string; json?: boolean; profile?: 'fast' | 'docker' }): Promise<void> {
  const from = runFolder(dir);
  const p = progress(ctx, `chaos: replaying ${from}`, flags.json ?? false);
  const run = await (await chaosLib()).replayChaos(from, { out: flags.out, home: ctx.home, profile: flags.profile, onProgress: (l) => p.update(`chaos: ${l}`) });
  p.succeed('chaos: replay done');
  summarize(ctx, run, flags.json);
}

export async function chaosCheck(ctx: Context, dir: string, flags: { json?: boolean }): Promise<void> {
  const path = runFolder(dir);
  const results: Results = await (await chaosLib()).checkRun(path);
  summarize(ctx, { dir: path, results }, flags.json);
}
