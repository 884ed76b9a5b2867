// Where clusters live: $SWARMLAB_HOME (default ~/.swarmlab)/clusters/<name>, never in the repo.
// Each cluster gets its own loopback block 127.B.0.0/16 so several can run side by side.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClusterRecord {
  name: string;
  managers: number;
  workers: number;
  /** The second octet of the cluster's addresses (127.B.x.y). */
  addressBlock: number;
  formed: boolean;
  profile: 'fast' | 'docker';
  timeScale: number;
  /** The process that runs the Lab (the background launcher, or a script), while it runs. */
  launcherPid?: number;
  controlPort?: number;
  /** Every node with its fixed address, and its pid while it runs (written by the Lab). */
  nodes?: { name: string; role: 'manager' | 'worker'; addr: string; pid?: number; state?: string }[];
}

export function swarmlabHome(home?: string): string {
  return home ?? process.env.SWARMLAB_HOME ?? join(homedir(), '.swarmlab');
}

export function clusterDir(name: string, home?: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) {
    throw new Error(`invalid cluster name "${name}" (letters, digits, '.', '_' and '-', at most 63 characters)`);
  }
  return join(swarmlabHome(home), 'clusters', name);
}

export function listClusters(home?: string): ClusterRecord[] {
  const root = join(swarmlabHome(home), 'clusters');
  if (!existsSync(root)) return [];
  const out: ClusterRecord[] = [];
  for (const name of readdirSync(root)) {
    try {
      out.push(JSON.parse(readFileSync(join(root, name, 'cluster.json'), 'utf8')) as ClusterRecord);
    } catch {
      /* not a cluster directory */
    }
  }
  return out;
}

/**
 * A free 127.B block (B from 10 to 250), keeping the one a cluster of this name had. A block is
 * free when no cluster here claims it and nothing listens on its first node's Engine API port
 * (clusters under another SWARMLAB_HOME, or tests, may use it).
 */
export async function allocateAddressBlock(home: string | undefined, name: string): Promise<number> {
  const clusters = listClusters(home);
  const mine = clusters.find((c) => c.name === name);
  if (mine) return mine.addressBlock;
  const used = new Set(clusters.map((c) => c.addressBlock));
  for (let b = 10; b <= 250; b++) {
    if (used.has(b)) continue;
    if (await portFree(`127.${b}.0.2`, 2375)) return b;
  }
  throw new Error('no free loopback block for another cluster: stop one with `swarmlab down NAME`');
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
