/**
 * Transport benchmark: small frames/s and MB/s over ONE mTLS link through the NIC (no rules), the
 * cost of a new mTLS handshake, and certificate issuance/s. The receiving node runs in its own
 * process (as nodes do), so sender and receiver do not share one event loop.
 *
 *   pnpm bench:transport            (from the repo root)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNodeKeyAndCSR, createRootCA, issueNodeCertificate, newIdentityId, type RootCA } from '@swarmlab/pki';
import { Nic } from '../src/nic.js';
import { dial } from '../src/dialer.js';
import { SecurityConfig } from '../src/tls/security-config.js';
import type { Link } from '../src/link.js';
import type { ReceiverReport, ReceiverSetup } from './receiver.js';

const SERVER = '127.0.40.1';
const CLIENT = '127.0.40.2';

interface Row {
  metric: string;
  value: number;
  unit: string;
  target?: number;
}

async function issue(ca: RootCA, clusterId: string, role: 'manager' | 'worker') {
  const { keyPem, csrPem } = await createNodeKeyAndCSR();
  const { certPem } = await issueNodeCertificate(ca, csrPem, { nodeId: newIdentityId(), role, clusterId });
  return { certPem, keyPem };
}

function startReceiver(setup: ReceiverSetup): Promise<{ child: ChildProcess; port: number; next: () => Promise<ReceiverReport> }> {
  const child = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const reports: ReceiverReport[] = [];
  const waiters: ((report: ReceiverReport) => void)[] = [];
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: ReceiverReport | { port: number }) => {
      if ('port' in message) {
        resolve({
          child,
          port: message.port,
          next: () => new Promise((done) => (reports.length > 0 ? done(reports.shift() as ReceiverReport) : waiters.push(done))),
        });
        return;
      }
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else reports.push(message);
    });
    child.send(setup);
  });
}

/** Sends `count` messages as fast as the link's bounded queue allows. */
async function pump(link: Link, count: number, body: (i: number) => unknown): Promise<void> {
  const highWater = 4 * 1024 * 1024;
  for (let i = 0; i < count; i++) {
    link.send('sink', body(i));
    if (link.queuedBytes > highWater) await new Promise<void>((resolve) => link.once('drain', () => resolve()));
  }
}

async function measureStream(link: Link, next: () => Promise<ReceiverReport>, count: number, body: (i: number) => unknown, bytesPerMessage: number) {
  link.send('control', { expect: count });
  const started = performance.now();
  await pump(link, count, body);
  const report = await next();
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: report.received / seconds, mbPerSecond: (report.received * bytesPerMessage) / seconds / 1e6 };
}

async function main(): Promise<void> {
  const ca = await createRootCA();
  const clusterId = newIdentityId();
  const [manager, worker] = await Promise.all([issue(ca, clusterId, 'manager'), issue(ca, clusterId, 'worker')]);
  const { child, port, next } = await startReceiver({ address: SERVER, ...manager, rootPem: ca.certPem, clusterId });
  const nic = new Nic({ address: CLIENT });
  const security = new SecurityConfig({ ...worker, roots: [ca.certPem], clusterId });
  const rows: Row[] = [];
  try {
    const link = await dial({ nic, host: SERVER, port, security });

    // Warm up the JIT on both sides.
    await measureStream(link, next, 50_000, (i) => [i, 'warm-up'], 16);

    const small = 1_000_000;
    const smallResult = await measureStream(link, next, small, (i) => [i, 'small frame body'], 0);
    rows.push({ metric: 'small frames (~30 B) over one mTLS link', value: smallResult.perSecond, unit: 'frames/s', target: 100_000 });

    const block = Buffer.alloc(64 * 1024, 0x5a);
    const large = 4096; // 256 MiB
    const largeResult = await measureStream(link, next, large, () => block, block.length);
    rows.push({ metric: 'throughput, 64 KiB messages', value: largeResult.mbPerSecond, unit: 'MB/s', target: 300 });
    link.close('bench done');

    const handshakes = 200;
    const started = performance.now();
    for (let i = 0; i < handshakes; i++) {
      const fresh = await dial({ nic, host: SERVER, port, security });
      fresh.destroy('bench');
    }
    rows.push({ metric: 'new mTLS link (connect + handshake + verify)', value: (performance.now() - started) / handshakes, unit: 'ms' });
  } finally {
    child.kill('SIGTERM');
    await nic.close();
  }

  const csrs = await Promise.all(Array.from({ length: 8 }, () => createNodeKeyAndCSR()));
  await issueNodeCertificate(ca, csrs[0].csrPem, { nodeId: newIdentityId(), role: 'worker', clusterId });
  const certs = 600;
  const issueStarted = performance.now();
  for (let i = 0; i < certs; i++) {
    await issueNodeCertificate(ca, csrs[i % csrs.length].csrPem, { nodeId: newIdentityId(), role: 'worker', clusterId });
  }
  rows.push({ metric: 'certificate issuance (pki, from a CSR)', value: certs / ((performance.now() - issueStarted) / 1000), unit: 'certs/s', target: 150 });

  printTable(rows);
}

function printTable(rows: Row[]): void {
  const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  const lines = rows.map((row) => [
    row.metric,
    `${format(row.value)} ${row.unit}`,
    row.target === undefined ? '' : `>= ${row.target.toLocaleString('en-US')}`,
    row.target === undefined ? '' : row.value >= row.target ? 'ok' : 'BELOW TARGET',
  ]);
  const header = ['metric', 'result', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const print = (cells: string[]) => console.log(cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  print(header);
  print(widths.map((w) => '-'.repeat(w)));
  for (const line of lines) print(line);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
