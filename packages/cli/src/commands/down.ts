// swarmlab down [NAME|--all]: stop a cluster's launcher and every node process it started. The
// launcher stops its nodes itself; whatever is left after that (or when the launcher is gone) is
// killed by the pids recorded in cluster.json, each checked to be this cluster's.

import { clusterSummaries, isAlive, killLeftovers, SupervisorClient, supervisorSocket, type ClusterSummary } from '@swarmlab/launcher';
import { rmSync } from 'node:fs';
import { out, printJson, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { plural } from '../format.js';
import { selectCluster } from '../select-cluster.js';

export interface DownFlags {
  all?: boolean;
  purge?: boolean;
  cluster?: string;
  json?: boolean;
}

interface DownResult {
  name: string;
  /** Nodes the launcher stopped. */
  stopped: string[];
  /** Pids killed afterwards (a dead launcher's nodes, or anything that outlived it). */
  killed: number[];
  purged: boolean;
}

const DOWN_TIMEOUT_MS = 30_000;

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function downOne(c: ClusterSummary, purge: boolean): Promise<DownResult> {
  let stopped: string[] = [];
  if (c.state === 'running' && c.launcherPid !== undefined) {
    const http = new SupervisorClient(supervisorSocket(c.dir), c.name);
    try {
      stopped = await Promise.race([
        http.down(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), DOWN_TIMEOUT_MS).unref()),
      ]);
      await waitGone(c.launcherPid, 10_000);
    } catch {
      // A launcher that does not answer is killed below with its nodes.
    }
  }
  const killed = await killLeftovers(c.dir);
  if (purge) rmSync(c.dir, { recursive: true, force: true });
  return { name: c.name, stopped, killed, purged: purge };
}

export async function down(ctx: Context, name: string | undefined, flags: DownFlags): Promise<void> {
  if (flags.all && (name !== undefined || flags.cluster !== undefined)) throw new UserError('give a cluster name or --all, not both');
  if (name !== undefined && flags.cluster !== undefined && name !== flags.cluster) throw new UserError(`two cluster names given: "${name}" and --cluster "${flags.cluster}"`);
  const targets = flags.all
    ? clusterSummaries(ctx.home).filter((c) => flags.purge || c.state !== 'stopped')
    : [selectCluster(ctx, name ?? flags.cluster)];
  const results: DownResult[] = [];
  for (const c of targets) results.push(await downOne(c, flags.purge === true));
  if (flags.json) return printJson(ctx, results);
  if (results.length === 0) return out(ctx, 'no cluster is running');
  for (const r of results) {
    const parts = [
      r.stopped.length > 0 ? `stopped ${plural(r.stopped.length, 'node')}` : r.killed.length > 0 ? '' : 'was not running',
      r.killed.length > 0 ? `killed ${plural(r.killed.length, 'leftover process', 'leftover processes')} (${r.killed.join(', ')})` : '',
      r.purged ? 'deleted its state' : '',
    ].filter(Boolean);
    out(ctx, `cluster "${r.name}": ${parts.join(', ')}`);
  }
}
