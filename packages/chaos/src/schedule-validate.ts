// validateSchedule: a schedule read back from schedule.json, possibly edited by hand, checked
// field by field. Every problem is listed in one error, so a person can fix them all at once.

import { FAULT_ACTIONS, NAMED_TARGETS, NEMESIS_KINDS, ScheduleError, WORKLOADS } from './schedule-vocabulary.js';
import type { Fault, FaultTarget, NemesisKind, Schedule } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));

function validTarget(t: unknown): t is FaultTarget {
  if (typeof t === 'string') return NAMED_TARGETS.includes(t);
  return Array.isArray(t) && t.length > 0 && t.every((n) => typeof n === 'string' && n !== '');
}

const PARAM_RANGES: Record<string, [number, number]> = {
  offsetMs: [-3_600_000, 3_600_000],
  delayMs: [0, 60_000],
  jitterMs: [0, 60_000],
  lossPercent: [0, 100],
};

function validateFault(f: unknown, where: string, time: number, problems: string[]): Fault | undefined {
  if (!isObj(f)) {
    problems.push(`${where} must be an object`);
    return undefined;
  }
  const before = problems.length;
  if (typeof f.at !== 'number' || !Number.isFinite(f.at) || f.at < 0) problems.push(`${where}.at must be a number of ms >= 0, got ${show(f.at)}`);
  else if (Number.isFinite(time) && f.at >= time) problems.push(`${where}.at is ${f.at} ms, at or after the end of the run (time ${time} ms): it would never play`);
  if (typeof f.duration !== 'number' || !Number.isFinite(f.duration) || f.duration < 0) problems.push(`${where}.duration must be a number of ms >= 0, got ${show(f.duration)}`);
  const kind = f.kind as NemesisKind;
  if (!NEMESIS_KINDS.includes(kind)) problems.push(`${where}.kind ${show(f.kind)} is not one of ${NEMESIS_KINDS.join(', ')}`);
  else if (typeof f.action !== 'string' || !FAULT_ACTIONS[kind].includes(f.action)) {
    problems.push(`${where}.action ${show(f.action)} is not one of ${FAULT_ACTIONS[kind].join(', ')} (kind ${kind})`);
  }
  if (!validTarget(f.target)) problems.push(`${where}.target ${show(f.target)} must be one of ${NAMED_TARGETS.join(', ')} or a non-empty list of node names`);
  if (f.params !== undefined) {
    if (!isObj(f.params)) problems.push(`${where}.params must be an object of numbers`);
    else {
      for (const [name, v] of Object.entries(f.params)) {
        const range = PARAM_RANGES[name];
        if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${where}.params.${name} must be a number, got ${show(v)}`);
        else if (range && (v < range[0] || v > range[1])) problems.push(`${where}.params.${name} is ${v}, outside [${range[0]}, ${range[1]}]`);
      }
    }
  }
  let applied: Fault['applied'];
  if (f.applied !== undefined) {
    const a = f.applied;
    const ok =
      isObj(a) &&
      Array.isArray(a.nodes) &&
      a.nodes.every((n) => typeof n === 'string') &&
      typeof a.at === 'number' &&
      (a.healedAt === undefined || typeof a.healedAt === 'number') &&
      (a.note === undefined || typeof a.note === 'string');
    if (!ok) problems.push(`${where}.applied must be { nodes: string[], at: number, healedAt?: number, note?: string }`);
    else applied = { nodes: [...(a.nodes as string[])], at: a.at as number, ...(a.healedAt !== undefined ? { healedAt: a.healedAt as number } : {}), ...(a.note !== undefined ? { note: a.note as string } : {}) };
  }
  if (problems.length > before) return undefined;
  const fault: Fault = { at: f.at as number, duration: f.duration as number, kind, action: f.action as string, target: Array.isArray(f.target) ? [...(f.target as string[])] : (f.target as FaultTarget) };
  if (f.params !== undefined) fault.params = { ...(f.params as Record<string, number>) };
  if (applied) fault.applied = applied;
  return fault;
}

/** Checks a schedule read from schedule.json (possibly edited by hand); lists every problem. */
export function validateSchedule(x: unknown): Schedule {
  if (!isObj(x)) throw new ScheduleError('schedule: expected a JSON object');
  const problems: string[] = [];
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = x[name];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) problems.push(`${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${show(v)}`);
  };
  const positive = (name: string) => {
    const v = x[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${name} must be a positive number of ms, got ${show(v)}`);
  };
  int('seed', 0, 2 ** 32 - 1);
  positive('time');
  positive('interval');
  int('managers', 1);
  int('workers', 0);
  int('concurrency', 1);
  if (!WORKLOADS.includes(x.workload as Schedule['workload'])) problems.push(`workload ${show(x.workload)} is not one of ${WORKLOADS.join(', ')}`);
  if (!Array.isArray(x.nemesis)) problems.push(`nemesis must be a list of fault kinds, got ${show(x.nemesis)}`);
  else x.nemesis.forEach((k, i) => NEMESIS_KINDS.includes(k as NemesisKind) || problems.push(`nemesis[${i}] ${show(k)} is not one of ${NEMESIS_KINDS.join(', ')}`));
  if (x.quorumLoss !== undefined && typeof x.quorumLoss !== 'boolean') problems.push(`quorumLoss must be true or false, got ${show(x.quorumLoss)}`);
  const faults: Fault[] = [];
  if (!Array.isArray(x.faults)) problems.push(`faults must be a list, got ${show(x.faults)}`);
  else {
    const time = typeof x.time === 'number' ? x.time : NaN;
    x.faults.forEach((f, i) => {
      const fault = validateFault(f, `faults[${i}]`, time, problems);
      if (fault) faults.push(fault);
    });
  }
  if (problems.length) throw new ScheduleError(`schedule is not valid:\n  - ${problems.join('\n  - ')}`);
  const schedule: Schedule = {
    seed: x.seed as number,
    time: x.time as number,
    interval: x.interval as number,
    nemesis: [...(x.nemesis as NemesisKind[])],
    managers: x.managers as number,
    workers: x.workers as number,
    workload: x.workload as Schedule['workload'],
    concurrency: x.concurrency as number,
    faults,
  };
  if (x.quorumLoss === true) schedule.quorumLoss = true;
  return schedule;
}
