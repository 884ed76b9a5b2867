// Before spawning nodes: will they fit? Every node is a process of its own (~50 MB) and its
// launcher and peers hold sockets for it (~64 file descriptors), so a cluster that does not fit
// fails halfway with EMFILE or the OOM killer. Say what to raise instead, before starting.

import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

export const MB_PER_NODE = 50;
export const FDS_PER_NODE = 64;
/** The launcher's own descriptors (sockets, logs, the runtime). */
const FDS_BASE = 64;

export interface Capacity {
  openFilesSoft: number;
  openFilesHard: number;
  freeMemBytes: number;
}

/** The open-file limits of a process (default: this one) and the free memory, as Linux reports them. */
export function readCapacity(pid: number | 'self' = 'self'): Capacity {
  let soft = Infinity;
  let hard = Infinity;
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [s, h] = (line ?? '').replace('Max open files', '').trim().split(/\s+/);
    soft = s === 'unlimited' || s === undefined ? Infinity : Number(s);
    hard = h === 'unlimited' || h === undefined ? Infinity : Number(h);
  } catch {
    /* no /proc: nothing to check */
  }
  return { openFilesSoft: soft, openFilesHard: hard, freeMemBytes: freemem() };
}

/** What stops `nodes` nodes from fitting, each as a sentence saying what to change; [] when they fit. */
export function capacityProblems(nodes: number, cap: Capacity): string[] {
  const problems: string[] = [];
  const fds = FDS_BASE + FDS_PER_NODE * nodes;
  if (cap.openFilesSoft < fds) {
    const suggest = Math.ceil(fds / 1024) * 1024;
    problems.push(
      `${nodes} nodes need about ${fds} open files, but the limit is ${cap.openFilesSoft}: raise it with \`ulimit -n ${suggest}\` in this shell` +
        (cap.openFilesHard < suggest
          ? ` (its hard limit is ${cap.openFilesHard}: raise that first, as root, with \`prlimit\` or in /etc/security/limits.conf)`
          : ''),
    );
  }
  const needMb = MB_PER_NODE * nodes;
  const freeMb = Math.floor(cap.freeMemBytes / 2 ** 20);
  if (freeMb < needMb) {
    problems.push(
      `${nodes} nodes need about ${needMb} MB of free memory, but ${freeMb} MB are free: stop other clusters (\`swarmlab ls\`, \`swarmlab down NAME\`) or start fewer nodes`,
    );
  }
  return problems;
}
