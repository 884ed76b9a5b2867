// swarmlab chaos against real node processes: a short run with kill + partition is judged valid,
// its replay plays the same schedule, and a cluster with a deliberate bug switched on (reads served
// from a manager's local store, without ReadIndex) is judged invalid.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { playSchedule, replayChaos, runChaos } from '../src/run/index.js';
import type { Schedule } from '../src/types.js';

const labs: Lab[] = [];
const home = mkdtempSync(join(tmpdir(), 'swarmlab-chaos-test-'));
const onLab = (lab: Lab) => void labs.push(lab);

afterAll(async () => {
  for (const lab of labs) await lab.downForSure();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

const scheduleOf = (dir: string) => {
  const s = JSON.parse(readFileSync(join(dir, 'schedule.json'), 'utf8')) as Schedule;
  return { ...s, faults: s.faults.map(({ applied: _a, ...f }) => f) };
};

describe('swarmlab chaos', () => {
  let first: string;

  it('judges a healthy cluster valid under kill and partition faults', async () => {
    const run = await runChaos({
      managers: 3,
      workers: 1,
      time: 20_000,
      interval: 5_000,
      nemesis: ['kill', 'partition'],
      workload: 'register',
      concurrency: 4,
      seed: 7,
      out: join(home, 'run-7'),
      home,
      onLab,
    });
    first = run.dir;
    const failed = run.results.checks.filter((c) => c.verdict !== 'valid');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(run.results.valid).toBe('valid');
    for (const f of ['history.jsonl', 'schedule.json', 'results.json', 'events.jsonl', 'report.html']) expect(existsSync(join(run.dir, f)), f).toBe(true);
    const kinds = new Set(scheduleOf(run.dir).faults.map((f) => f.kind));
    expect(kinds.size).toBeGreaterThan(0);
    const ops = readFileSync(join(run.dir, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(ops.length).toBeGreaterThan(100);
  }, 180_000);

  it('replays the recorded schedule', async () => {
    const replay = await replayChaos(first, { out: join(home, 'replay-7'), home, onLab });
    expect(scheduleOf(replay.dir)).toEqual(scheduleOf(first));
    const failed = replay.results.checks.filter((c) => c.verdict === 'invalid');
    expect(replay.results.valid, JSON.stringify(failed, null, 2)).not.toBe('invalid');
  }, 180_000);

  it('judges a cluster that serves reads without ReadIndex invalid', async () => {
    const schedule: Schedule = {
      seed: 99,
      time: 14_000,
      interval: 10_000,
      nemesis: ['partition'],
      managers: 3,
      workers: 0,
      workload: 'register',
      concurrency: 6,
      faults: [{ at: 2_000, duration: 10_000, kind: 'partition', action: 'isolate', target: 'one' }],
    };
    const run = await playSchedule(schedule, {
      out: join(home, 'stale-reads'),
      home,
      onLab,
      nodeEnv: { SWARMLAB_FAULT_LOCAL_READS: '1' },
    });
    const lin = run.results.checks.find((c) => c.name === 'linearizability');
    expect(lin?.verdict, JSON.stringify(lin, null, 2)).toBe('invalid');
    expect(run.results.valid).toBe('invalid');
  }, 180_000);
});
