// Seeds 201..2200 of the deterministic simulator must pass every safety and liveness check
// (seeds 1..200 run in sim.test.ts). They run on worker threads, one per core, because vitest
// alone keeps a two-core machine to one test worker.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runSeedRangeParallel } from '../sim/index.js';

const FROM = 201;
const TO = 2200;

describe(`seeds ${FROM}..${TO} pass every check`, () => {
  it(`runs ${TO - FROM + 1} seeds without a violation`, { timeout: 300_000 }, async () => {
    const report = await runSeedRangeParallel(FROM, TO, { workers: Math.min(4, availableParallelism()), chunkSize: 100 });
    expect(report.failures.map((f) => `seed ${f.seed}: ${f.violation.split('\n')[0]}`)).toEqual([]);
    expect(report.count).toBe(TO - FROM + 1);
  });
});
