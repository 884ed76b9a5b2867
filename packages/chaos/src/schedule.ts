// Fault schedules drawn from a seed: the same options give a byte-identical schedule.json. Faults
// follow one another, each healed before the next begins, roughly one per interval. (A schedule
// handed back for a replay is checked by validateSchedule, re-exported here.)

import { mulberry32, type Prng } from './prng.js';
import { FAULT_ACTIONS, NEMESIS_KINDS, ScheduleError, WORKLOADS } from './schedule-vocabulary.js';
import type { Fault, FaultTarget, NemesisKind, Schedule } from './types.js';

export { FAULT_ACTIONS, NAMED_TARGETS, NEMESIS_KINDS, ScheduleError, WORKLOADS } from './schedule-vocabulary.js';

/** Clock bumps of 0.5–30 s either way (link delays are 50–300 ms, loss 5–30 %, in drawFault). */
const CLOCK_MAX_MS = 30_000;
const CLOCK_MIN_MS = 500;
/** Membership changes keep at least this many managers. */
const MIN_MANAGERS = 3;
/** A fault needs time to be applied and healed; and a schedule is a file a person may read. */
const MIN_INTERVAL_MS = 100;
const MAX_FAULTS = 100_000;

/** Everything a schedule holds but its faults, which are drawn from these (quorumLoss: let kill
 * and pause take a majority of managers down, briefly, to test losing quorum). */
export type ScheduleOptions = Omit<Schedule, 'faults'>;

/** The cluster as the schedule expects it to be when a fault starts (membership moves nodes). */
interface Shape {
  managers: number;
  workers: number;
  promoted: boolean;
}

/** Whether a kind has an action that keeps to the rules in this cluster shape. */
function possible(kind: NemesisKind, s: Shape, o: ScheduleOptions): boolean {
  switch (kind) {
    case 'partition':
      return s.managers + s.workers >= 2;
    case 'kill':
    case 'pause':
      // Without quorumLoss a fault may stop one manager only when at least 3 exist, or a worker
      // (while no worker was promoted, so the named workers are still workers).
      return o.quorumLoss === true || s.managers >= MIN_MANAGERS || (s.workers > 0 && !s.promoted);
    case 'clock':
    case 'link':
      return true;
    case 'membership':
      return s.workers > 0 || s.managers > MIN_MANAGERS;
  }
}

function processTarget(rng: Prng, s: Shape, o: ScheduleOptions): { target: FaultTarget; quorumLost: boolean } {
  const choices: FaultTarget[] = [];
  if (s.managers >= MIN_MANAGERS || o.quorumLoss) choices.push('one', 'minority', 'leader');
  if (s.workers > 0 && !s.promoted) choices.push([`worker${rng.between(1, s.workers)}`]);
  if (o.quorumLoss && s.managers >= 2) choices.push('majority');
  const target = rng.pick(choices);
  // With fewer than 3 managers even one of them down loses quorum.
  const quorumLost = target === 'majority' || (!Array.isArray(target) && s.managers < MIN_MANAGERS);
  return { target, quorumLost };
}

function partitionFault(rng: Prng, s: Shape): Pick<Fault, 'action' | 'target'> {
  const nodes = s.managers + s.workers;
  const actions = nodes >= 4 ? FAULT_ACTIONS.partition : ['isolate', 'halves', 'one-way'];
  const action = rng.pick(actions);
  const target: FaultTarget = action === 'isolate' || action === 'one-way' ? rng.pick(['one', 'leader'] as const) : 'all';
  return { action, target };
}

function drawFault(kind: NemesisKind, rng: Prng, s: Shape, o: ScheduleOptions): Omit<Fault, 'at' | 'duration'> & { short: boolean } {
  switch (kind) {
    case 'partition':
      return { kind, ...partitionFault(rng, s), short: false };
    case 'kill':
    case 'pause': {
      const action = rng.pick(FAULT_ACTIONS[kind]);
      const { target, quorumLost } = processTarget(rng, s, o);
      return { kind, action, target, short: quorumLost };
    }
    case 'clock': {
      const offsetMs = rng.between(CLOCK_MIN_MS, CLOCK_MAX_MS) * (rng.next() < 0.5 ? -1 : 1);
      return { kind, action: 'bump', target: rng.pick(['one', 'minority', 'leader', 'all'] as const), params: { offsetMs }, short: false };
    }
    case 'link': {
      const target = rng.pick(['one', 'minority', 'leader'] as const);
      if (rng.next() < 0.5) {
        const delayMs = rng.between(50, 300);
        return { kind, action: 'delay', target, params: { delayMs, jitterMs: rng.between(0, Math.floor(delayMs / 4)) }, short: false };
      }
      return { kind, action: 'loss', target, params: { lossPercent: rng.between(5, 30) }, short: false };
    }
    case 'membership': {
      const canPromote = s.workers > 0;
      const canDemote = s.managers > MIN_MANAGERS;
      const promote = canPromote && (!canDemote || rng.next() < 0.5);
      if (promote) {
        s.managers++;
        s.workers--;
        s.promoted = true;
      } else {
        s.managers--;
        s.workers++;
      }
      return { kind, action: promote ? 'promote' : 'demote', target: 'one', short: false };
    }
  }
}

function checkOptions(o: ScheduleOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32) problems.push(`seed must be an integer in [0, 2^32), got ${String(o.seed)}`);
  if (!(o.time > 0) || !Number.isFinite(o.time)) problems.push(`time must be a positive number of ms, got ${String(o.time)}`);
  if (!(o.interval >= MIN_INTERVAL_MS) || !Number.isFinite(o.interval)) problems.push(`interval must be a number of ms >= ${MIN_INTERVAL_MS}, got ${String(o.interval)}`);
  else if (o.time / o.interval > MAX_FAULTS) problems.push(`time / interval must be at most ${MAX_FAULTS.toLocaleString('en-US')} (one fault per interval)`);
  if (!Array.isArray(o.nemesis)) problems.push('nemesis must be a list of fault kinds');
  else for (const k of o.nemesis) if (!NEMESIS_KINDS.includes(k)) problems.push(`nemesis "${String(k)}" is not one of ${NEMESIS_KINDS.join(', ')}`);
  if (!Number.isInteger(o.managers) || o.managers < 1) problems.push(`managers must be an integer >= 1, got ${String(o.managers)}`);
  if (!Number.isInteger(o.workers) || o.workers < 0) problems.push(`workers must be an integer >= 0, got ${String(o.workers)}`);
  if (!WORKLOADS.includes(o.workload)) problems.push(`workload must be one of ${WORKLOADS.join(', ')}, got ${String(o.workload)}`);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) problems.push(`concurrency must be an integer >= 1, got ${String(o.concurrency)}`);
  if (problems.length) throw new ScheduleError(`cannot draw a schedule: ${problems.join('; ')}`);
  const start: Shape = { managers: o.managers, workers: o.workers, promoted: false };
  const impossible = o.nemesis.filter((k) => !possible(k, start, o));
  if (impossible.length) {
    throw new ScheduleError(
      `cannot draw a schedule: ${impossible.join(', ')} cannot run on ${o.managers} manager(s) and ${o.workers} worker(s) without losing quorum or going below ${MIN_MANAGERS} managers (add nodes, or allow quorum loss)`,
    );
  }
}

export function generateSchedule(o: ScheduleOptions): Schedule {
  checkOptions(o);
  const rng = mulberry32(o.seed);
  const shape: Shape = { managers: o.managers, workers: o.workers, promoted: false };
  const faults: Fault[] = [];
  // Half to one interval of calm first, so the workload has a baseline before the first fault.
  let at = Math.round(o.interval * (0.5 + 0.5 * rng.next()));
  for (;;) {
    const kinds = o.nemesis.filter((k) => possible(k, shape, o));
    if (kinds.length === 0) break;
    const kind = rng.pick(kinds);
    const drawn = drawFault(kind, rng, shape, o);
    const { short, ...fault } = drawn;
    // Shorter than the interval; a fault that costs quorum is kept brief.
    const duration = Math.round(o.interval * (short ? 0.15 + 0.15 * rng.next() : 0.3 + 0.4 * rng.next()));
    // Membership changes land in the middle of the fault before them (promote and demote while
    // a partition or a crash is in force), without taking a slot of their own.
    const previous = faults.at(-1);
    if (kind === 'membership' && previous && previous.kind !== 'membership') {
      const middle = previous.at + Math.round(previous.duration / 2);
      faults.push({ at: middle, duration: previous.at + previous.duration - middle, ...fault });
      continue;
    }
    if (at + duration > o.time) break;
    faults.push({ at, duration, ...fault });
    at += Math.max(duration + Math.round(o.interval * 0.1), Math.round(o.interval * (0.8 + 0.4 * rng.next())));
  }
  const schedule: Schedule = {
    seed: o.seed,
    time: o.time,
    interval: o.interval,
    nemesis: [...o.nemesis],
    managers: o.managers,
    workers: o.workers,
    workload: o.workload,
    concurrency: o.concurrency,
    faults,
  };
  if (o.quorumLoss) schedule.quorumLoss = true;
  return schedule;
}

export { validateSchedule } from './schedule-validate.js';
