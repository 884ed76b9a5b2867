// swarmlab up: start a cluster's background launcher, which brings every node up (or back, with
// its state) and forms the swarm; return when all are Ready with a leader, then show the nodes.

import { clusterDir, clusterState, killLeftovers, LAUNCHER_LOG, readRecord, RemoteLab, startSupervisor, type SupervisorOptions } from '@swarmlab/launcher';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { out, printJson, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { dockerHostLine, nodesTable, plural } from '../format.js';
import { capacityProblems, readCapacity } from '../guard-rails.js';
import { progress } from '../progress.js';

export interface UpFlags {
  name?: string;
  cluster?: string;
  managers?: number;
  workers?: number;
  profile?: 'fast' | 'docker';
  timeScale?: number;
  autolock?: boolean;
  defaultAddrPool?: string;
  defaultAddrPoolMaskLength?: number;
  fresh?: boolean;
  json?: boolean;
}

/** The loader the background launcher runs its TypeScript with (this package's tsx). */
export function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function up(ctx: Context, flags: UpFlags): Promise<void> {
  const name = flags.name ?? flags.cluster ?? 'default';
  let dir: string;
  try {
    dir = clusterDir(name, ctx.home);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const existed = existsSync(join(dir, 'cluster.json'));
  const { state, launcherPid } = clusterState(dir);
  if (state === 'running') throw new UserError(`cluster "${name}" is already running (\`swarmlab nodes --cluster ${name}\`; \`swarmlab down ${name}\` stops it)`);
  if (state === 'scripted') throw new UserError(`cluster "${name}" is in use by process ${launcherPid} (a \`swarmlab run\` or a test); wait for it or choose another --name`);

  const record = existed && !flags.fresh ? readRecord(dir) : undefined;
  const resuming = record?.formed === true;
  if (resuming && ((flags.managers !== undefined && flags.managers !== record.managers) || (flags.workers !== undefined && flags.workers !== record.workers))) {
    throw new UserError(
      `cluster "${name}" exists with ${record.managers} managers and ${record.workers} workers and comes back as it was: ` +
        'add --fresh to start it anew with other counts, or use `swarmlab add` once it is up',
    );
  }
  const nodeCount = resuming ? (record.nodes?.length ?? record.managers + record.workers) : (flags.managers ?? 3) + (flags.workers ?? 2);
  const problems = capacityProblems(nodeCount, readCapacity());
  if (problems.length > 0) throw new UserError(`not starting ${nodeCount} nodes:\n  - ${problems.join('\n  - ')}`);

  if (state === 'orphaned') {
    const killed = await killLeftovers(dir);
    (flags.json ? ctx.stderr : ctx.stdout).write(`stopped ${plural(killed.length, 'leftover process', 'leftover processes')} of cluster "${name}" (its launcher had died)\n`);
  }
  if (flags.fresh && existsSync(dir)) rmSync(dir, { recursive: true, force: true });

  const options: SupervisorOptions = {
    name,
    home: ctx.home,
    ...(resuming ? {} : { managers: flags.managers ?? 3, workers: flags.workers ?? 2 }),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.timeScale !== undefined ? { timeScale: flags.timeScale } : {}),
    ...(flags.autolock ? { autolock: true } : {}),
    ...(flags.defaultAddrPool ? { defaultAddrPool: flags.defaultAddrPool } : {}),
    ...(flags.defaultAddrPoolMaskLength ? { defaultAddrPoolMaskLength: flags.defaultAddrPoolMaskLength } : {}),
  };
  const started = Date.now();
  const shown = progress(ctx, resuming ? `bringing cluster "${name}" back` : `creating cluster "${name}" (${nodeCount} nodes)`, flags.json === true);
  try {
    // Ctrl-C while starting: the launcher (in its own process group) is told to stop the nodes.
    await startSupervisor({ options, tsxLoader: tsxLoader(), onProgress: (line) => shown.update(line), signal: ctx.signal });
  } catch (e) {
    shown.fail(`cluster "${name}" did not come up`);
    const message = (e as Error).message;
    const log = message.startsWith('the launcher exited') ? tail(join(dir, LAUNCHER_LOG), 8) : '';
    await killLeftovers(dir).catch(() => undefined);
    // A cluster that never existed leaves nothing behind.
    if (!existed) rmSync(dir, { recursive: true, force: true });
    if (ctx.signal.aborted) throw new UserError(`cancelled: cluster "${name}" was stopped`);
    throw new UserError(`${message}${log ? `\nlast lines of its log:\n${log}` : ''}`);
  }
  const lab = await RemoteLab.connect(name, { home: ctx.home });
  const nodes = await lab.nodes();
  const m1 = nodes.find((n) => n.name === 'manager1') ?? nodes[0];
  shown.succeed(`cluster "${name}" is up: ${nodes.length} nodes Ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (flags.json) {
    printJson(ctx, { name, dir, launcherPid: readRecord(dir)?.launcherPid, nodes, env: dockerHostLine(m1.addr) });
    return;
  }
  out(ctx, nodesTable(nodes, false));
  out(ctx);
  out(ctx, dockerHostLine(m1.addr));
}
