// Waiting for a swarm state before a step, by polling the Engine API. The two daemons move at
// their own pace (real containers versus emulated ones), so each is waited for separately; the
// summary of what was reached is part of the transcript and compared like any output.

import { TASK_STATES, type Service, type Task, type TaskState } from '@swarmlab/api';
import { engineGetJson } from './engine-http.js';
import type { Settle } from './steps.js';
import type { EngineEndpoint } from './targets.js';

const POLL_MS = 200;
const DEFAULT_TIMEOUT_MS = 30_000;

/** States a task never leaves (SwarmKit: everything from `complete` on). */
const DONE = new Set<TaskState>(TASK_STATES.slice(TASK_STATES.indexOf('complete')));
/** Update states after which nothing more happens without a new request. */
const UPDATE_IN_FLIGHT = new Set(['updating', 'rollback_started']);

interface Observation {
  reached: boolean;
  /** What was seen, in words that do not depend on timing once `reached` is true. */
  summary: string;
}

function countStates(tasks: Task[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const key = `${t.DesiredState}→${t.Status.State}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(', ') || 'no tasks';
}

function serviceTasksPath(apiPrefix: string, service: string): string {
  return `${apiPrefix}/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { [service]: true } }))}`;
}

async function observe(endpoint: EngineEndpoint, apiPrefix: string, settle: Settle): Promise<Observation> {
  if ('noTasks' in settle) {
    const tasks = await engineGetJson<Task[]>(endpoint, `${apiPrefix}/tasks`);
    return { reached: tasks.length === 0, summary: tasks.length === 0 ? 'no tasks' : `tasks left: ${countStates(tasks)}` };
  }
  const service = await engineGetJson<Service>(endpoint, `${apiPrefix}/services/${encodeURIComponent(settle.service)}`);
  const tasks = await engineGetJson<Task[]>(endpoint, serviceTasksPath(apiPrefix, settle.service));
  const wanted = tasks.filter((t) => t.DesiredState === 'running');
  const othersDone = tasks.filter((t) => t.DesiredState !== 'running').every((t) => DONE.has(t.Status.State));
  const updateState = service.UpdateStatus?.State;
  const updateOver = updateState === undefined || !UPDATE_IN_FLIGHT.has(updateState);
  if ('running' in settle) {
    const updateReached = settle.update === undefined ? updateOver : updateState === settle.update;
    const reached = updateReached && othersDone && wanted.length === settle.running && wanted.every((t) => t.Status.State === 'running');
    const update = updateState ? `, update ${updateState}` : '';
    return { reached, summary: reached ? `${settle.service}: ${settle.running} running${update}` : `${settle.service}: ${countStates(tasks)}${update}` };
  }
  const reached = wanted.length === settle.pending && wanted.every((t) => t.Status.State === 'pending' && Boolean(t.Status.Err));
  return { reached, summary: reached ? `${settle.service}: ${settle.pending} pending` : `${settle.service}: ${countStates(tasks)}` };
}

/** Polls until the state is reached; returns its summary, or "timed out: <last seen>". */
export async function settle(endpoint: EngineEndpoint, apiPrefix: string, what: Settle, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing observed';
  for (;;) {
    try {
      const seen = await observe(endpoint, apiPrefix, what);
      if (seen.reached) return seen.summary;
      last = seen.summary;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() >= deadline) return `timed out: ${last}`;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
