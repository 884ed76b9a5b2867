// Throughput of the CA operations: `pnpm --filter @swarmlab/pki bench`.
import {
  createNodeKeyAndCSR,
  createRootCA,
  generateJoinToken,
  issueNodeCertificate,
  newIdentityId,
  parseNodeCertificate,
} from '../src/index.js';

interface Row {
  operation: string;
  count: number;
  seconds: number;
}

async function measure(operation: string, count: number, concurrency: number, run: () => Promise<unknown> | unknown): Promise<Row> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await run();
      }
    }),
  );
  return { operation, count, seconds: (performance.now() - start) / 1000 };
}

const ca = await createRootCA();
const { csrPem } = await createNodeKeyAndCSR();
const clusterId = newIdentityId();
const sample = await issueNodeCertificate(ca, csrPem, { nodeId: newIdentityId(), role: 'manager', clusterId });
const issue = () => issueNodeCertificate(ca, csrPem, { nodeId: newIdentityId(), role: 'worker', clusterId });

// Warm up the JIT and the CA signer cache.
for (let i = 0; i < 50; i++) await issue();

const rows: Row[] = [
  await measure('createRootCA', 200, 1, () => createRootCA()),
  await measure('createNodeKeyAndCSR', 1000, 1, () => createNodeKeyAndCSR()),
  await measure('issueNodeCertificate (sequential)', 2000, 1, issue),
  await measure('issueNodeCertificate (16 in flight)', 2000, 16, issue),
  await measure('parseNodeCertificate', 5000, 1, () => parseNodeCertificate(sample.certPem)),
  await measure('generateJoinToken', 20000, 1, () => generateJoinToken(ca.certPem)),
];

const header = ['operation', 'count', 'ms/op', 'ops/s'];
const body = rows.map((r) => [r.operation, String(r.count), ((r.seconds * 1000) / r.count).toFixed(3), Math.round(r.count / r.seconds).toString()]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of body) console.log(line(row));
