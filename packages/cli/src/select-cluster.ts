// Which cluster a command acts on: the one named with --cluster, or else the only one running.

import { clusterDir, clusterSummaries, RemoteLab, resolveAlias, type ClusterSummary } from '@swarmlab/launcher';
import type { Context } from './context.js';
import { UserError } from './errors.js';

function describe(c: ClusterSummary): string {
  return `${c.name} (${c.state})`;
}

/** The cluster --cluster names (which must exist), or the only running one. */
export function selectCluster(ctx: Context, name: string | undefined): ClusterSummary {
  const all = clusterSummaries(ctx.home);
  if (name !== undefined) {
    try {
      clusterDir(name, ctx.home);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const found = all.find((c) => c.name === name);
    if (!found) throw new UserError(`no cluster named "${name}"${all.length > 0 ? ` (clusters: ${all.map(describe).join(', ')})` : ' (there is none yet: `swarmlab up`)'}`);
    return found;
  }
  const running = all.filter((c) => c.state === 'running');
  if (running.length === 1) return running[0];
  if (running.length > 1) {
    throw new UserError(`several clusters are running (${running.map((c) => c.name).join(', ')}): choose one with --cluster NAME`);
  }
  const others = all.length > 0 ? ` (not running: ${all.map(describe).join(', ')}; bring one back with \`swarmlab up --name NAME\`)` : '';
  throw new UserError(`no cluster is running: start one with \`swarmlab up\`${others}`);
}

/** A running cluster's launcher, for commands that change or watch a cluster. */
export async function connectRunning(ctx: Context, name: string | undefined): Promise<RemoteLab> {
  const c = selectCluster(ctx, name);
  if (c.state !== 'running') {
    throw new UserError(
      c.state === 'scripted'
        ? `cluster "${c.name}" is run by process ${c.launcherPid} (a \`swarmlab run\` or a test), not by a background launcher`
        : `cluster "${c.name}" is not running (${c.state}): bring it back with \`swarmlab up --name ${c.name}\``,
    );
  }
  try {
    return await RemoteLab.connect(c.name, { home: ctx.home });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/** A node's name and address from the cluster's record (works whether or not it runs). */
export function recordedNode(c: ClusterSummary, ref: string): { name: string; addr: string; role: string } {
  const nodes = c.record.nodes ?? [];
  const name = resolveAlias(ref);
  const found = nodes.find((n) => n.name === name);
  if (!found) throw new UserError(`unknown node "${ref}" in cluster "${c.name}" (nodes: ${nodes.map((n) => n.name).join(', ')})`);
  return found;
}
