// What runs for a cluster, told from its cluster.json and /proc: the launcher and node pids it
// recorded, each checked to still be that process (its command line names this cluster's
// directory) before anything is signalled — a recycled pid is never killed. Processes are stopped
// by pid and process group only, never by name.

import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { ClusterRecord } from './paths.js';
import { SUPERVISOR_MAIN } from './supervisor-spawn.js';

export function readRecord(dir: string): ClusterRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** Whether a pid names a live process (a zombie, already dead, does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) STATE …"; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (not Linux): trust kill(0).
    return true;
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** A live node process of the cluster in `dir` (its --state-dir is under dir/nodes). */
export function isNodeOf(pid: number, dir: string): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLine(pid);
  if (!argv) return existsSync('/proc') ? false : true;
  const i = argv.indexOf('--state-dir');
  return i >= 0 && (argv[i + 1] ?? '').startsWith(join(dir, 'nodes') + sep);
}

/** A live background launcher of the cluster in `dir`. */
export function isSupervisorOf(pid: number, dir: string): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLine(pid);
  if (!argv) return existsSync('/proc') ? false : true;
  const i = argv.indexOf(SUPERVISOR_MAIN);
  return i >= 0 && argv[i + 1] === dir;
}

/** The cluster's background launcher pid, if one is running. */
export function runningSupervisor(dir: string): number | undefined {
  const pid = readRecord(dir)?.launcherPid;
  return pid !== undefined && isSupervisorOf(pid, dir) ? pid : undefined;
}

/** Pids of the cluster's node processes that are still running. */
export function runningNodePids(dir: string): number[] {
  return (readRecord(dir)?.nodes ?? []).map((n) => n.pid).filter((p): p is number => p !== undefined && isNodeOf(p, dir));
}

/** SIGKILLs a process group and its leader (node processes are started detached, as group leaders). */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* no such group or process */
    }
  }
}

/**
 * SIGKILLs whatever the cluster still runs (its launcher and nodes, each with its process group)
 * and waits until they are gone. Returns the pids it killed.
 */
export async function killLeftovers(dir: string, timeoutMs = 5000): Promise<number[]> {
  const supervisor = runningSupervisor(dir);
  const pids = [...(supervisor ? [supervisor] : []), ...runningNodePids(dir)];
  pids.forEach(killGroup);
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const stuck = pids.filter(isAlive);
  if (stuck.length > 0) throw new Error(`processes ${stuck.join(', ')} did not exit after SIGKILL`);
  return pids;
}
