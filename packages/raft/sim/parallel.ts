// Runs a seed range on several worker threads. Chunks of seeds are handed out as workers free
// up; which seeds fail does not depend on the split, only the order they are reported in does.

import { Worker } from 'node:worker_threads';
import type { BrokenCoreName } from './broken-cores.js';
import type { RangeReport, SeedFailure } from './seed-range.js';

export interface ChunkRequest {
  from: number;
  to: number;
  core?: BrokenCoreName;
  traceLines?: number;
}

export type WorkerReply = { kind: 'failure'; failure: SeedFailure } | { kind: 'done'; count: number; maxLivenessTicks: number };

export interface ParallelOptions {
  workers: number;
  core?: BrokenCoreName;
  traceLines?: number;
  chunkSize?: number;
  onFailure?: (failure: SeedFailure) => void;
}

export async function runSeedRangeParallel(from: number, to: number, options: ParallelOptions): Promise<RangeReport> {
  const chunkSize = options.chunkSize ?? 200;
  const chunks: ChunkRequest[] = [];
  for (let lo = from; lo <= to; lo += chunkSize) {
    chunks.push({ from: lo, to: Math.min(to, lo + chunkSize - 1), core: options.core, traceLines: options.traceLines });
  }
  const report: RangeReport = { count: 0, violations: 0, failures: [], maxLivenessTicks: 0 };
  const workerCount = Math.max(1, Math.min(options.workers, chunks.length));
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: workerCount }, () => {
        const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url));
        workers.push(worker);
        return drive(worker, chunks, report, options.onFailure);
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  report.failures.sort((a, b) => a.seed - b.seed);
  return report;
}

/** Feeds chunks to one worker until none are left. */
function drive(worker: Worker, chunks: ChunkRequest[], report: RangeReport, onFailure?: (f: SeedFailure) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = () => {
      const chunk = chunks.shift();
      if (chunk) worker.postMessage(chunk);
      else resolve();
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'failure') {
        report.violations++;
        report.failures.push(reply.failure);
        onFailure?.(reply.failure);
        return;
      }
      report.count += reply.count;
      report.maxLivenessTicks = Math.max(report.maxLivenessTicks, reply.maxLivenessTicks);
      next();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (chunks.length > 0 || code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
    next();
  });
}
