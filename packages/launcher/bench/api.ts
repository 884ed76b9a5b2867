// pnpm bench:api — Engine API throughput and latency on a cluster holding 100 services and 1,000
// tasks: GET /services, GET /tasks and service update, each through the leader and through a
// follower manager (which forwards to the leader). Target: reads ≥ 5,000/s and p99 ≤ 10 ms
// through the leader. Clients are keep-alive DockerClients running in this process, so the
// numbers include the client's own CPU on the same 2 cores.

import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerClient } from '@swarmlab/api';
import { Lab, nodeBundle } from '../src/index.js';

const SERVICES = 100;
const REPLICAS = 10;
const DURATION_MS = Number(process.env.BENCH_API_MS ?? 5_000);
const CONCURRENCY = 16;

interface Row {
  op: string;
  via: string;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A GET whose body is read but not parsed: the rows measure the server, not this process's
 * JSON.parse of a 1,000-task list (client and server share the same two cores).
 */
function rawGet(agent: Agent, addr: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: addr, port: 2375, path, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `op` from CONCURRENCY loops for DURATION_MS; latencies in ms. */
async function load(addr: string, op: (api: DockerClient, loop: number) => Promise<unknown>): Promise<Omit<Row, 'op' | 'via'>> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + DURATION_MS;
  const clients = Array.from({ length: CONCURRENCY }, () => new DockerClient({ host: addr, keepAlive: true, timeoutMs: 10_000 }));
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (api, loop) => {
      while (performance.now() < deadline) {
        const start = performance.now();
        try {
          await op(api, loop);
          latencies.push(performance.now() - start);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  clients.forEach((c) => c.close());
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const home = mkdtempSync(join(tmpdir(), 'swarmlab-bench-api-'));
const rows: Row[] = [];
try {
  await nodeBundle();
  const lab = await Lab.up({ name: 'bench-api', managers: 3, workers: 4, fresh: true, home });
  try {
    const leader = (await lab.leader())!;
    const api = lab.client(leader, 60_000);
    const ids: string[] = [];
    for (let i = 0; i < SERVICES; i++) {
      const spec = {
        Name: `bench-${i}`,
        TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'] } },
        Mode: { Replicated: { Replicas: REPLICAS } },
      };
      // A leader busy placing hundreds of tasks may lose a term: retry through whoever leads now.
      const id = await lab.waitFor(async () => {
        const via = lab.client((await lab.leader()) ?? leader, 30_000);
        try {
          return (await via.serviceCreate(spec)).ID;
        } catch (e) {
          if (String(e).includes('already exists')) return (await via.serviceInspect(spec.Name)).ID;
          return undefined;
        }
      }, 60_000, `service ${spec.Name} created`);
      ids.push(id);
    }
    await lab.waitFor(async () => (await api.taskList()).length >= SERVICES * REPLICAS, 120_000, `${SERVICES * REPLICAS} tasks`);
    const leaderNow = (await lab.leader()) ?? leader;
    const follower = lab.list().find((n) => n.role === 'manager' && n.name !== leaderNow)!.name;
    for (const [via, name] of [['leader', leaderNow], ['follower', follower]] as const) {
      const addr = lab.node(name).spec.addr;
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      rows.push({ op: 'GET /services', via, ...(await load(addr, () => rawGet(agent, addr, '/v1.47/services'))) });
      rows.push({ op: 'GET /tasks (1,000 tasks)', via, ...(await load(addr, () => rawGet(agent, addr, '/v1.47/tasks'))) });
      agent.destroy();
      // Each loop updates its own service (labels only), reading the version it must present.
      rows.push({
        op: 'service update (inspect + update)',
        via,
        ...(await load(addr, async (c, loop) => {
          const s = await c.serviceInspect(ids[loop]);
          await c.serviceUpdate(s.ID, s.Version.Index, { ...s.Spec, Labels: { n: String(s.Version.Index) } });
        })),
      });
    }
  } finally {
    await lab.down();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`\n${CONCURRENCY} keep-alive clients, ${DURATION_MS / 1000} s per row; target through the leader: reads ≥ 5,000/s, p99 ≤ 10 ms\n`);
console.log('| operation | via | requests | errors | per second | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.op} | ${r.via} | ${r.requests} | ${r.errors} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
