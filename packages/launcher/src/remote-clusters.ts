// Which clusters exist and in what state, read from their directories and /proc (no launcher is
// asked, so this works whatever state a launcher is in).

import { join } from 'node:path';
import { clusterDir, listClusters, swarmlabHome, type ClusterRecord } from './paths.js';
import { isAlive, readRecord, runningNodePids, runningSupervisor } from './supervisor-cleanup.js';

/**
 * running: its background launcher serves it. scripted: another process runs its Lab (a
 * `swarmlab run` or a test). orphaned: nodes run with no launcher left. stopped: nothing runs.
 */
export type ClusterState = 'running' | 'scripted' | 'orphaned' | 'stopped';

export interface ClusterSummary {
  name: string;
  dir: string;
  state: ClusterState;
  launcherPid?: number;
  /** Node processes alive right now. */
  liveNodes: number;
  record: ClusterRecord;
}

export function clusterState(dir: string): { state: ClusterState; launcherPid?: number; liveNodes: number } {
  const record = readRecord(dir);
  const supervisor = runningSupervisor(dir);
  const liveNodes = runningNodePids(dir).length;
  if (supervisor !== undefined) return { state: 'running', launcherPid: supervisor, liveNodes };
  if (liveNodes === 0) return { state: 'stopped', liveNodes };
  const owner = record?.launcherPid;
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return { state: 'scripted', launcherPid: owner, liveNodes };
  return { state: 'orphaned', liveNodes };
}

export function clusterSummaries(home?: string): ClusterSummary[] {
  return listClusters(home)
    .map((record) => {
      const dir = clusterDir(record.name, home);
      return { name: record.name, dir, record, ...clusterState(dir) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Names of the clusters whose background launcher is running. */
export function runningClusters(home?: string): string[] {
  return clusterSummaries(home)
    .filter((c) => c.state === 'running')
    .map((c) => c.name);
}

export function clustersRoot(home?: string): string {
  return join(swarmlabHome(home), 'clusters');
}
