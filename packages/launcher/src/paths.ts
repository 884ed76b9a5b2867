// Where clusters live: $SWARMLAB_HOME (default ~/.swarmlab)/clusters/<name>, never in the repo.
// Each cluster gets its own loopback block 127.B.0.0/16 so several can run side by side.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
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
 * Claims a 127.B block (B from 10 to 127) for this process, keeping the one a cluster of this
 * name had. Claims are lock files under the system temp directory holding the owner's pid, so
 * two launchers (several test files, several SWARMLAB_HOMEs) never get the same block; a claim
 * whose owner died is taken over. Nothing may listen on the block's first node either.
 */
export async function allocateAddressBlock(home: string | undefined, name: string): Promise<number> {
  const clusters = listClusters(home);
  const mine = clusters.find((c) => c.name === name);
  if (mine) {
    if (!claimBlock(mine.addressBlock)) throw new Error(`cluster "${name}" is already running (its addresses 127.${mine.addressBlock}.x.y are in use)`);
    return mine.addressBlock;
  }
  const used = new Set(clusters.map((c) => c.addressBlock));
  // Blocks above 127 are the nodes' container addresses (127.(B+128).x.y).
  for (let b = 10; b <= 127; b++) {
    if (used.has(b)) continue;
    if (!claimBlock(b)) continue;
    if (await portFree(`127.${b}.0.2`, 2375)) return b;
    releaseBlock(b);
  }
  throw new Error('no free loopback block for another cluster: stop one with `swarmlab down NAME`');
}

const LOCK_DIR = join(tmpdir(), 'swarmlab-address-blocks');

function claimBlock(block: number): boolean {
  mkdirSync(LOCK_DIR, { recursive: true });
  const file = join(LOCK_DIR, String(block));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner === process.pid) return true;
    if (owner > 0 && alive(owner)) return false;
    // The owner died without releasing it: take it over (rename is atomic).
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, String(process.pid));
    renameSync(tmp, file);
    return Number(readFileSync(file, 'utf8')) === process.pid;
  }
}

/** Gives a block back (Lab.down). */
export function releaseBlock(block: number): void {
  const file = join(LOCK_DIR, String(block));
  try {
    if (Number(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file);
  } catch {
    /* not ours or gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
