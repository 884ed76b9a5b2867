// swarmlab run script.ts: runs a TypeScript script whose default export is `async (lab) => {…}`,
// against a fresh cluster (started here, stopped when the script ends) or, with --cluster, a
// running one (through its launcher: a RemoteLab).

import { clusterDir, clusterState, Lab, type LabApi } from '@swarmlab/launcher';
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { printJson, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { capacityProblems, readCapacity } from '../guard-rails.js';
import { progress } from '../progress.js';
import { connectRunning } from '../select-cluster.js';

export interface RunFlags {
  cluster?: string;
  name?: string;
  managers?: number;
  workers?: number;
  profile?: 'fast' | 'docker';
  timeScale?: number;
  json?: boolean;
}

type Script = (lab: LabApi) => unknown;

let hooksRegistered = false;

function registerHooks(scriptPath: string): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  const require = createRequire(import.meta.url);
  const packages = Object.fromEntries(['@swarmlab/launcher', '@swarmlab/api'].map((p) => [p, pathToFileURL(require.resolve(p)).href]));
  const scriptDir = pathToFileURL(dirname(scriptPath)).href + '/';
  register(new URL('../script-hooks.mjs', import.meta.url), { data: { packages, scriptDir } });
}

async function loadScript(file: string): Promise<Script> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`no such script: ${file}`);
  registerHooks(path);
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') throw new UserError(`${file} must \`export default async (lab) => { … }\``);
  return mod.default as Script;
}

async function freshLab(ctx: Context, script: string, flags: RunFlags): Promise<Lab> {
  const name = flags.name ?? `run-${basename(script, extname(script))}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
  let dir: string;
  try {
    dir = clusterDir(name, ctx.home);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const { state } = clusterState(dir);
  if (state !== 'stopped') throw new UserError(`cluster "${name}" is ${state}: stop it first (\`swarmlab down ${name}\`) or pass --name`);
  const count = (flags.managers ?? 3) + (flags.workers ?? 2);
  const problems = capacityProblems(count, readCapacity());
  if (problems.length > 0) throw new UserError(`not starting ${count} nodes:\n  - ${problems.join('\n  - ')}`);
  const shown = progress(ctx, `creating cluster "${name}" for ${basename(script)}`, flags.json === true);
  try {
    const lab = await Lab.up({ name, home: ctx.home, fresh: true, managers: flags.managers ?? 3, workers: flags.workers ?? 2, profile: flags.profile, timeScale: flags.timeScale, onProgress: (l) => shown.update(l) });
    shown.succeed(`cluster "${name}" is up (${lab.nodes.size} nodes)`);
    return lab;
  } catch (e) {
    shown.fail(`cluster "${name}" did not come up`);
    throw new UserError((e as Error).message);
  }
}

export async function run(ctx: Context, script: string, flags: RunFlags): Promise<void> {
  if (flags.cluster !== undefined && (flags.managers !== undefined || flags.workers !== undefined || flags.name !== undefined)) {
    throw new UserError('--cluster runs the script on a running cluster; --name, --managers and --workers are for a fresh one: give one or the other');
  }
  const fn = await loadScript(script);
  const lab: LabApi = flags.cluster !== undefined ? await connectRunning(ctx, flags.cluster) : await freshLab(ctx, script, flags);
  // Ctrl-C stops a fresh cluster before this process goes.
  const fresh = lab instanceof Lab ? lab : undefined;
  const onAbort = () => void fresh?.down().finally(() => process.exit(130));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await fn(lab);
    if (flags.json) printJson(ctx, { cluster: lab.name, result: result ?? null });
  } catch (e) {
    throw new UserError(`${basename(script)} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await fresh?.down();
  }
}
