// pnpm bench:services — time from `service create --replicas N` (through the Engine API) to all
// tasks RUNNING, for 10 replicas and for 1,000 replicas over 10 workers; tasks scheduled per
// second. Targets (fast profile): 10 replicas ≤ 0.3 s; 1,000 over 10 workers ≤ 3 s. A real
// dockerd here: 10 replicas in 1.4–2.3 s, 50 in 8.1 s.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, nodeBundle } from '../src/index.js';

const home = mkdtempSync(join(tmpdir(), 'swarmlab-bench-services-'));

async function timeToRunning(lab: Lab, name: string, replicas: number): Promise<number> {
  const api = lab.client('manager1', 60_000);
  const t0 = performance.now();
  await api.serviceCreate({ Name: name, TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'] } }, Mode: { Replicated: { Replicas: replicas } } });
  for (;;) {
    const tasks = await api.taskList({ service: [name], 'desired-state': ['running'] });
    if (tasks.filter((t) => t.Status.State === 'running').length >= replicas) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rows: [string, string, string][] = [];
try {
  await nodeBundle();
  const lab = await Lab.up({ name: 'bench-services', managers: 3, workers: 10, fresh: true, home });
  try {
    const ten = await timeToRunning(lab, 'ten', 10);
    rows.push(['10 replicas: create → all RUNNING', `${Math.round(ten)} ms`, 'target ≤ 300 ms; real dockerd 1.4–2.3 s']);
    const thousand = await timeToRunning(lab, 'thousand', 1000);
    rows.push(['1,000 replicas over 13 nodes: create → all RUNNING', `${(thousand / 1000).toFixed(2)} s`, 'target ≤ 3 s']);
    rows.push(['tasks scheduled and started per second', `${Math.round(1000 / (thousand / 1000))}`, '']);
  } finally {
    await lab.down();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log('\n| metric | value | note |\n|---|---|---|');
for (const [m, v, n] of rows) console.log(`| ${m} | ${v} | ${n} |`);
