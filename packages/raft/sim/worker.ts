// A worker thread of the parallel seed runner: runs the chunks of seeds it is sent and reports
// each failing seed as soon as it fails.

import { parentPort } from 'node:worker_threads';
import { runSeedRange } from './seed-range.js';
import type { ChunkRequest, WorkerReply } from './parallel.js';

if (!parentPort) throw new Error('sim/worker.ts must run as a worker thread');
const port = parentPort;

port.on('message', (req: ChunkRequest) => {
  const report = runSeedRange(req.from, req.to, {
    core: req.core,
    traceLines: req.traceLines,
    onFailure: (failure) => port.postMessage({ kind: 'failure', failure } satisfies WorkerReply),
  });
  port.postMessage({ kind: 'done', count: report.count, maxLivenessTicks: report.maxLivenessTicks } satisfies WorkerReply);
});
