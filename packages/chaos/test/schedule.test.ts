// Fault schedules: the same seed gives the same schedule byte for byte; faults keep to the rules
// (one at a time, shorter than the interval, never more than a minority of managers down unless
// quorum loss is asked for, at least 3 managers kept); a hand-edited schedule is validated.

import { describe, expect, it } from 'vitest';
import { FAULT_ACTIONS, NEMESIS_KINDS, ScheduleError, generateSchedule, validateSchedule, type ScheduleOptions } from '../src/index.js';
import type { Schedule } from '../src/types.js';

const everything: ScheduleOptions = {
  seed: 42,
  time: 120_000,
  interval: 5_000,
  nemesis: [...NEMESIS_KINDS],
  managers: 5,
  workers: 3,
  workload: 'mixed',
  concurrency: 8,
};

describe('generateSchedule', () => {
  it('is deterministic: the same options give a byte-identical schedule.json', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const a = JSON.stringify(generateSchedule({ ...everything, seed }), null, 2);
      const b = JSON.stringify(generateSchedule({ ...everything, seed }), null, 2);
      expect(b).toBe(a);
    }
    const seeds = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(generateSchedule({ ...everything, seed }).faults)));
    expect(seeds.size).toBe(5);
  });

  it('records the options and draws every enabled kind over enough seeds', () => {
    const s = generateSchedule(everything);
    expect(s).toMatchObject({ seed: 42, time: 120_000, interval: 5_000, managers: 5, workers: 3, workload: 'mixed', concurrency: 8 });
    const kinds = new Set<string>();
    const actions = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      for (const f of generateSchedule({ ...everything, seed }).faults) {
        kinds.add(f.kind);
        actions.add(`${f.kind}/${f.action}`);
      }
    }
    expect([...kinds].sort()).toEqual([...NEMESIS_KINDS].sort());
    const all = Object.entries(FAULT_ACTIONS).flatMap(([k, as]) => as.map((a) => `${k}/${a}`));
    expect([...actions].sort()).toEqual(all.sort());
  });

  it('faults come one at a time (membership changes inside the fault before them), roughly every interval, each shorter than the interval and within the run', () => {
    let inside = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const s = generateSchedule({ ...everything, seed });
      expect(s.faults.length).toBeGreaterThan(15);
      const slots = s.faults.filter((f, i) => {
        const prev = s.faults[i - 1];
        const during = f.kind === 'membership' && prev !== undefined && f.at > prev.at && f.at + f.duration <= prev.at + prev.duration;
        if (during) inside++;
        return !during;
      });
      slots.forEach((f, i) => {
        expect(f.duration).toBeGreaterThan(0);
        expect(f.duration).toBeLessThan(s.interval);
        expect(f.at + f.duration).toBeLessThanOrEqual(s.time);
        if (i > 0) {
          const prev = slots[i - 1];
          expect(f.at).toBeGreaterThanOrEqual(prev.at + prev.duration);
          expect(f.at - prev.at).toBeLessThanOrEqual(1.2 * s.interval);
        }
      });
    }
    expect(inside).toBeGreaterThan(0);
  });

  it('keeps parameters in range and never takes down more than a minority of managers', () => {
    for (let seed = 1; seed <= 100; seed++) {
      let managers = everything.managers;
      for (const f of generateSchedule({ ...everything, seed }).faults) {
        if (f.kind === 'kill' || f.kind === 'pause') {
          expect(['one', 'minority', 'leader']).toContain(Array.isArray(f.target) ? 'one' : f.target);
          if (Array.isArray(f.target)) expect(f.target).toHaveLength(1);
        }
        if (f.kind === 'clock') expect(Math.abs(f.params!.offsetMs)).toBeLessThanOrEqual(30_000);
        if (f.action === 'delay') {
          expect(f.params!.delayMs).toBeGreaterThanOrEqual(50);
          expect(f.params!.delayMs).toBeLessThanOrEqual(300);
        }
        if (f.action === 'loss') {
          expect(f.params!.lossPercent).toBeGreaterThanOrEqual(5);
          expect(f.params!.lossPercent).toBeLessThanOrEqual(30);
        }
        if (f.action === 'promote') managers++;
        if (f.action === 'demote') managers--;
        expect(managers).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('with quorum loss allowed, majorities may go down, but briefly', () => {
    let majority = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const s = generateSchedule({ ...everything, seed, nemesis: ['kill', 'pause'], quorumLoss: true });
      expect(s.quorumLoss).toBe(true);
      for (const f of s.faults.filter((x) => x.target === 'majority')) {
        majority++;
        expect(f.duration).toBeLessThanOrEqual(0.3 * s.interval);
      }
    }
    expect(majority).toBeGreaterThan(10);
  });

  it('on a small cluster it stops workers rather than losing quorum, or says why it cannot', () => {
    const s = generateSchedule({ ...everything, managers: 1, workers: 2, nemesis: ['kill'] });
    expect(s.faults.every((f) => Array.isArray(f.target) && /^worker[12]$/.test(f.target[0]))).toBe(true);
    expect(() => generateSchedule({ ...everything, managers: 2, workers: 0, nemesis: ['kill', 'partition'] })).toThrow(
      'cannot draw a schedule: kill cannot run on 2 manager(s) and 0 worker(s) without losing quorum or going below 3 managers (add nodes, or allow quorum loss)',
    );
  });

  it('rejects bad options with a clear error', () => {
    expect(() => generateSchedule({ ...everything, seed: -1, interval: 0, nemesis: ['flood' as never] })).toThrow(
      new ScheduleError('cannot draw a schedule: seed must be an integer in [0, 2^32), got -1; interval must be a number of ms >= 100, got 0; nemesis "flood" is not one of partition, kill, pause, clock, link, membership'),
    );
    expect(() => generateSchedule({ ...everything, time: 1e12 })).toThrow('time / interval must be at most 100,000');
  });
});

describe('validateSchedule', () => {
  it('accepts what generateSchedule wrote, after a trip through JSON, and what a run recorded', () => {
    const s = generateSchedule(everything);
    expect(validateSchedule(JSON.parse(JSON.stringify(s)))).toEqual(s);
    const played: Schedule = { ...s, faults: s.faults.map((f) => ({ ...f, applied: { nodes: ['manager2'], at: f.at + 3, healedAt: f.at + f.duration, note: 'ok' } })) };
    expect(validateSchedule(JSON.parse(JSON.stringify(played)))).toEqual(played);
  });

  it('lists every problem of a hand-edited schedule', () => {
    const s = JSON.parse(JSON.stringify(generateSchedule(everything)));
    s.workload = 'chaos';
    s.managers = 0;
    s.faults[0].kind = 'fire';
    s.faults[1].action = 'explode';
    s.faults[2].target = [];
    s.faults[3].at = 500_000;
    s.faults[4].params = { lossPercent: 150 };
    s.faults[5].duration = -3;
    expect(() => validateSchedule(s)).toThrow(
      [
        'schedule is not valid:',
        '  - managers must be an integer in [1, ∞], got 0',
        '  - workload "chaos" is not one of register, services, mixed',
        '  - faults[0].kind "fire" is not one of partition, kill, pause, clock, link, membership',
        `  - faults[1].action "explode" is not one of ${FAULT_ACTIONS[s.faults[1].kind as keyof typeof FAULT_ACTIONS].join(', ')} (kind ${s.faults[1].kind})`,
        '  - faults[2].target [] must be one of one, minority, majority, leader, all, primaries or a non-empty list of node names',
        '  - faults[3].at is 500000 ms, at or after the end of the run (time 120000 ms): it would never play',
        '  - faults[4].params.lossPercent is 150, outside [0, 100]',
        '  - faults[5].duration must be a number of ms >= 0, got -3',
      ].join('\n'),
    );
  });

  it('rejects what is not a schedule at all', () => {
    expect(() => validateSchedule(null)).toThrow('schedule: expected a JSON object');
    expect(() => validateSchedule({})).toThrow(/seed must be an integer.*\n.*time must be a positive number/);
    expect(() => validateSchedule({ ...generateSchedule(everything), faults: [7] })).toThrow('faults[0] must be an object');
  });
});
