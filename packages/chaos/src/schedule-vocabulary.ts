// The schedule vocabulary shared by generation and validation: fault kinds and their actions
// (as the runner's nemesis plays them), named targets, workloads, and the error both throw.

import type { NemesisKind, Schedule } from './types.js';

export const NEMESIS_KINDS: readonly NemesisKind[] = ['partition', 'kill', 'pause', 'clock', 'link', 'membership'];

export const FAULT_ACTIONS: Readonly<Record<NemesisKind, readonly string[]>> = {
  partition: ['isolate', 'halves', 'majorities-ring', 'bridge', 'one-way'],
  kill: ['kill', 'restart'],
  pause: ['pause'],
  clock: ['bump'],
  link: ['delay', 'loss'],
  membership: ['promote', 'demote'],
};

export const NAMED_TARGETS: readonly string[] = ['one', 'minority', 'majority', 'leader', 'all', 'primaries'];
export const WORKLOADS: readonly Schedule['workload'][] = ['register', 'services', 'mixed'];

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}
