// pnpm bench:api — Engine API throughput and latency on a cluster holding 100 services and 1,000
// tasks: GET /services, GET /tasks and service update, each through the leader and through a
// follower manager. Target: reads ≥ 5,000/s and p99 ≤ 10 ms through the leader. Clients run in
// this process, so the numbers include the client's own CPU on the same 2 cores; the serving
// node's CPU per request (from /proc) is shown too, as it is steadier than throughput.
// Reads send the docker CLI's headers (`Accept-Encoding: gzip`, which Go's client adds and decodes
// itself); GET /tasks is also measured without it, as an SDK such as dockerode asks.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerClient } from '@swarmlab/api';
import { Lab, prepareNodeProgram } from '../src/index.js';

const SERVICES = 100;
const REPLICAS = 10;
const DURATION_MS = Number(process.env.BENCH_API_MS ?? 5_000);
const CONCURRENCY = 16;
const CLOCK_TICKS_PER_SECOND = 100;
const MAX_HEAD_BYTES = 64 * 1024;
const READ_BUFFER_BYTES = 256 * 1024;

interface Row {
  op: string;
  via: string;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU (user + system) the serving node spent per request, in µs. */
  serverCpuUs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU milliseconds (user + system) a process has used, from /proc/PID/stat; NaN off Linux. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/**
 * One keep-alive HTTP/1.1 connection issuing GETs one at a time. The response is parsed just
 * enough to be checked (status 200, a Content-Length body received in full, ending as the
 * daemon's JSON does) but not decoded: the rows measure the server, and node:http's client or a
 * JSON.parse of a 1,000-task list would cost this process more than the server spends.
 */
class RawGetConnection {
  private readonly socket: Socket;
  private pending: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private partialHead: Buffer | undefined;
  /** Body bytes still to come; -1 while the headers are being read. */
  private bodyLeft = -1;
  private lastByte = 0;
  private failure: Error | undefined;

  /** Whether the body being read is gzipped; its bytes, kept whole for the first one to be decoded once. */
  private gzipped = false;
  private gzipBody: Buffer[] | undefined;
  private gzipChecked = false;

  constructor(
    private readonly host: string,
    private readonly gzip: boolean,
  ) {
    // Reads land in one buffer reused for the connection's life (a 1,000-task list takes a few).
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    this.socket = connect({
      host,
      port: 2375,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n) => {
          this.onData(readBuffer.subarray(0, n));
          return true;
        },
      },
    });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  get(path: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.bodyLeft = -1;
      this.lastByte = 0;
      const accept = this.gzip ? 'Accept-Encoding: gzip\r\n' : '';
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}:2375\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n${accept}\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail(new Error('bytes arrived with no request outstanding'));
    let body = chunk;
    if (this.bodyLeft < 0) {
      const head = this.partialHead ? Buffer.concat([this.partialHead, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) return this.fail(new Error('response headers too long'));
        // A copy: `chunk` is the read buffer, overwritten by the next read.
        this.partialHead = Buffer.from(head);
        return;
      }
      this.partialHead = undefined;
      const text = head.toString('latin1', 0, end + 2);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(text)?.[1];
      if (status !== '200') return this.fail(new Error(`status ${status ?? 'unreadable'}`));
      if (length === undefined) return this.fail(new Error('response without Content-Length'));
      this.bodyLeft = Number(length);
      body = head.subarray(end + 4);
      this.gzipped = /\r\ncontent-encoding: *gzip\r\n/i.test(text);
      if (this.gzipped && !this.gzip) return this.fail(new Error('gzip sent to a client that did not ask for it'));
      this.gzipBody = this.gzipped && !this.gzipChecked ? [] : undefined;
    }
    if (body.length > this.bodyLeft) return this.fail(new Error('more bytes than Content-Length'));
    this.bodyLeft -= body.length;
    if (body.length > 0) this.lastByte = body[body.length - 1];
    this.gzipBody?.push(Buffer.from(body));
    if (this.bodyLeft > 0) return;
    const done = this.pending;
    this.pending = undefined;
    if (this.gzipBody) {
      // The first gzipped answer of a connection is decoded in full; later ones only framed.
      let plain: Buffer;
      try {
        plain = gunzipSync(Buffer.concat(this.gzipBody));
      } catch (e) {
        return done.reject(new Error(`gzipped body does not decode: ${(e as Error).message}`));
      }
      this.gzipBody = undefined;
      this.gzipChecked = true;
      if (plain[plain.length - 1] !== 0x0a) return done.reject(new Error('body does not end as a complete JSON answer'));
      return done.resolve();
    }
    if (this.gzipped) return done.resolve();
    // The daemon's JSON bodies end with a newline, as Go's json.Encoder writes them.
    if (this.lastByte !== 0x0a) done.reject(new Error('body does not end as a complete JSON answer'));
    else done.resolve();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.socket.destroy();
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }
}

/** Runs `op` from CONCURRENCY loops for DURATION_MS; latencies in ms. */
async function load<C>(
  serverPid: number | undefined,
  newClient: () => C,
  closeClient: (c: C) => void,
  op: (client: C, loop: number) => Promise<unknown>,
): Promise<Omit<Row, 'op' | 'via'>> {
  const latencies: number[] = [];
  let errors = 0;
  const clients = Array.from({ length: CONCURRENCY }, newClient);
  const cpu0 = processCpuMs(serverPid);
  const t0 = performance.now();
  const deadline = t0 + DURATION_MS;
  await Promise.all(
    clients.map(async (client, loop) => {
      while (performance.now() < deadline) {
        const start = performance.now();
        try {
          await op(client, loop);
          latencies.push(performance.now() - start);
        } catch {
          errors++;
          // A connection that failed stays failed: replace it (closing the old one).
          closeClient(client);
          client = clients[loop] = newClient();
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const serverCpuUs = ((processCpuMs(serverPid) - cpu0) * 1000) / Math.max(1, latencies.length);
  clients.forEach(closeClient);
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCpuUs,
  };
}

function rawGets(pid: number | undefined, addr: string, path: string, gzip = true): Promise<Omit<Row, 'op' | 'via'>> {
  return load(pid, () => new RawGetConnection(addr, gzip), (c) => c.close(), (c) => c.get(path));
}

const home = mkdtempSync(join(tmpdir(), 'swarmlab-bench-api-'));
const rows: Row[] = [];
try {
  await prepareNodeProgram();
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
    // Measure the settled cluster: while tasks start, their status updates keep the store moving.
    await lab.waitFor(
      async () => (await api.taskList()).filter((t) => t.Status.State === 'running').length >= SERVICES * REPLICAS,
      120_000,
      `${SERVICES * REPLICAS} tasks running`,
    );
    const leaderNow = (await lab.leader()) ?? leader;
    const follower = lab.list().find((n) => n.role === 'manager' && n.name !== leaderNow)!.name;
    for (const [via, name] of [['leader', leaderNow], ['follower', follower]] as const) {
      const addr = lab.node(name).spec.addr;
      const pid = lab.node(name).pid;
      // The raw client checks framing only: make sure once, decoded, that these are the full lists.
      const check = lab.client(name, 60_000);
      if ((await check.serviceList()).length !== SERVICES) throw new Error(`GET /services via ${via} does not list ${SERVICES} services`);
      if ((await check.taskList()).length < SERVICES * REPLICAS) throw new Error(`GET /tasks via ${via} lists fewer than ${SERVICES * REPLICAS} tasks`);
      rows.push({ op: 'GET /services', via, ...(await rawGets(pid, addr, '/v1.47/services')) });
      rows.push({ op: 'GET /tasks (1,000 tasks)', via, ...(await rawGets(pid, addr, '/v1.47/tasks')) });
      if (via === 'leader') rows.push({ op: 'GET /tasks (1,000 tasks), no Accept-Encoding', via, ...(await rawGets(pid, addr, '/v1.47/tasks', false)) });
      // Each loop updates its own service (labels only), reading the version it must present.
      rows.push({
        op: 'service update (inspect + update)',
        via,
        ...(await load(
          pid,
          () => new DockerClient({ host: addr, keepAlive: true, timeoutMs: 10_000 }),
          (c) => c.close(),
          async (c, loop) => {
            const s = await c.serviceInspect(ids[loop]);
            await c.serviceUpdate(s.ID, s.Version.Index, { ...s.Spec, Labels: { n: String(s.Version.Index) } });
          },
        )),
      });
    }
  } finally {
    await lab.down();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`\n${CONCURRENCY} keep-alive clients, ${DURATION_MS / 1000} s per row; target through the leader: reads ≥ 5,000/s, p99 ≤ 10 ms\n`);
console.log('| operation | via | requests | errors | per second | p50 ms | p99 ms | server CPU µs/request |\n|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.op} | ${r.via} | ${r.requests} | ${r.errors} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.serverCpuUs)} |`);
}
