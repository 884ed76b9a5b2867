// pnpm bench:services — time from `service create --replicas N` (through the Engine API) to all
// tasks RUNNING, for 10, 100 and 1,000 replicas on 3 managers + 10 workers; tasks scheduled and
// started per second. Targets (fast profile): 10 replicas ≤ 0.3 s; 1,000 over 10 workers ≤ 3 s.
// A real dockerd here: 10 replicas in 1.4–2.3 s, 50 in 8.1 s.
//
// Progress is read the way `docker service ls` shows it (ServiceStatus.RunningTasks: tasks
// running and meant to run), which costs the leader a count, not a listing of every task.
// Flags: --runs N (repeat each case on fresh services, default 1).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Lab, prepareNodeProgram } from '../src/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' } }, allowPositionals: true });
const RUNS = Math.max(1, Number(values.runs) || 1);
const home = mkdtempSync(join(tmpdir(), 'swarmlab-bench-services-'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds until every replica runs, or undefined if that takes longer than `limitMs`. */
async function timeToRunning(lab: Lab, name: string, replicas: number, limitMs: number): Promise<number | undefined> {
  const api = lab.client('manager1', 60_000);
  const t0 = performance.now();
  await api.serviceCreate({ Name: name, TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'] } }, Mode: { Replicated: { Replicas: replicas } } });
  while (performance.now() - t0 < limitMs) {
    try {
      const services = await api.serviceList({ filters: { name: [name] }, status: true });
      const running = services.find((s) => s.Spec.Name === name)?.ServiceStatus?.RunningTasks ?? 0;
      if (running >= replicas) return performance.now() - t0;
    } catch {
      // A busy leader may time a read out; keep polling until the limit.
    }
    await sleep(10);
  }
  return undefined;
}

/** Removes the service and waits (up to a minute) until its tasks are gone, so the next case starts on a quiet swarm. */
async function removeAndDrain(lab: Lab, name: string): Promise<void> {
  const api = lab.client('manager1', 60_000);
  const id = (await api.serviceInspect(name).catch(() => undefined))?.ID;
  if (!id) return;
  await api.serviceRemove(id).catch(() => undefined);
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    const left = await api.taskList({ service: [id] }).catch(() => undefined);
    if (left?.length === 0) return;
    await sleep(100);
  }
}

/** "min / median / max" of the runs that converged, and how many did not. */
function summary(times: (number | undefined)[], format: (ms: number) => string, limitText: string): string {
  const done = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const failed = times.length - done.length;
  if (done.length === 0) return limitText;
  const text = done.length === 1 ? format(done[0]) : `${format(done[0])} / ${format(done[done.length >> 1])} / ${format(done[done.length - 1])} (min / median / max)`;
  return failed > 0 ? `${text}; ${failed} of ${times.length} ${limitText}` : text;
}

const ms = (t: number) => `${Math.round(t)} ms`;
const seconds = (t: number) => `${(t / 1000).toFixed(2)} s`;
const rows: [string, string, string][] = [];
try {
  await prepareNodeProgram();
  const lab = await Lab.up({ name: 'bench-services', managers: 3, workers: 10, fresh: true, home });
  try {
    const cases = [
      { replicas: 10, limitMs: 30_000, label: '10 replicas: create → all RUNNING', format: ms, note: 'target ≤ 300 ms; real dockerd 1.4–2.3 s' },
      { replicas: 100, limitMs: 30_000, label: '100 replicas: create → all RUNNING', format: ms, note: '' },
      { replicas: 1000, limitMs: 60_000, label: '1,000 replicas over 13 nodes: create → all RUNNING', format: seconds, note: 'target ≤ 3 s' },
    ];
    const thousand: (number | undefined)[] = [];
    for (const c of cases) {
      const times: (number | undefined)[] = [];
      for (let run = 0; run < RUNS; run++) {
        const name = `r${c.replicas}-${run}`;
        times.push(await timeToRunning(lab, name, c.replicas, c.limitMs));
        // Each run starts from a swarm without the previous run's tasks.
        await removeAndDrain(lab, name);
      }
      rows.push([c.label, summary(times, c.format, `not within ${c.limitMs / 1000} s`), c.note]);
      if (c.replicas === 1000) thousand.push(...times);
    }
    const best = thousand.filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    if (best !== undefined) rows.push(['tasks scheduled and started per second (1,000 replicas, best run)', `${Math.round(1000 / (best / 1000))}`, '']);
  } finally {
    await lab.down();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log('\n| metric | value | note |\n|---|---|---|');
for (const [m, v, n] of rows) console.log(`| ${m} | ${v} | ${n} |`);
