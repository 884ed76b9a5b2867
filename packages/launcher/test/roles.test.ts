// A node restarts with the flags and environment of the role its certificate gives it: a promoted
// worker comes back as a manager (no --lite-mode, glibc's default malloc tuning), whatever it was
// created as. Every node runs at the normal CPU priority.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentRole } from '../src/node-process.js';
import { labPerFile } from './helpers/lab-per-file.js';

const file = labPerFile('roles');

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
/** The nice value the scheduler weighs the process's session by (0 on kernels without autogroups, as everything then is). */
const autogroupNice = (pid: number) =>
  existsSync(`/proc/${pid}/autogroup`) ? Number(/nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1] ?? 0) : 0;

function logTail(file: string): string {
  const text = [file, `${file}.out`].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n');
  return text.split('\n').slice(-30).join('\n');
}

async function within<T>(ms: number, work: Promise<T>, explain: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(explain())), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a node process', () => {
  it('is started as the role its certificate says, so a promoted worker restarts as a manager', async () => {
    expect(currentRole({ role: 'worker', stateDir: join(file.home, 'nowhere') })).toBe('worker');
    const lab = await file.up({ managers: 1, workers: 1, fresh: true });
    const worker = lab.node('worker1');
    expect(cmdline(worker.pid!)).toContain('--lite-mode');
    expect(environ(worker.pid!)).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    // Workers are not niced: niced, they starved under bursts of tasks and were taken for Down.
    expect(autogroupNice(worker.pid!)).toBe(0);

    const api = lab.client('manager1');
    const node = await api.nodeInspect('worker1');
    await api.nodeUpdate(node.ID, node.Version!.Index!, { ...node.Spec!, Role: 'manager' });
    // The node renews its certificate for the new role, then joins Raft. Restarting it before it is
    // a member would leave the two-member configuration without a quorum.
    await lab.waitFor(() => currentRole(worker.spec) === 'manager', 20_000, 'a manager certificate on worker1');
    await lab.waitFor(async () => (await api.nodeInspect('worker1')).ManagerStatus?.Reachability === 'reachable', 20_000, 'worker1 a reachable manager');

    // A restart that never reaches "swarmd ready" would otherwise only show as the test's timeout.
    await within(20_000, lab.restart('worker1'), () => `worker1 did not restart; its log ends:\n${logTail(worker.spec.logFile)}`);
    expect(cmdline(worker.pid!)).not.toContain('--lite-mode');
    expect(environ(worker.pid!).some((v) => v.startsWith('MALLOC_MMAP_THRESHOLD_='))).toBe(false);
    await lab.waitFor(() => lab.allReady(), 20_000, 'every node Ready');
  }, 60_000);
});
