import type { Service, Task, TaskState } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import { toDockerTime } from '../src/clock.js';
import { advanceUpdate, type TaskChanges, type UpdateMemory, type UpdateStep } from '../src/manager/orchestrator/index.js';
import { idGenerator, node, NS, service, T0, task, type ServiceOptions } from './scheduler-fixtures.js';

const nodes = [node('n1'), node('n2'), node('n3')];

/** Applies decided changes the way the store would. */
function apply(tasks: Task[], changes: TaskChanges): Task[] {
  const out = tasks.filter((t) => !changes.remove.includes(t.ID)).map((t) => structuredClone(t));
  out.push(...changes.create.map((t) => structuredClone(t)));
  for (const u of changes.update) {
    const t = out.find((x) => x.ID === u.id);
    if (t && typeof u.set.DesiredState === 'string') t.DesiredState = u.set.DesiredState as TaskState;
  }
  return out;
}

function setState(tasks: Task[], id: string, state: TaskState, at: number): Task[] {
  return tasks.map((t) => (t.ID === id ? { ...t, NodeID: t.NodeID ?? 'n1', Status: { ...t.Status, State: state, Timestamp: toDockerTime(at) } } : t));
}

/** Service `s` moved from image v1 to v2, with three v1 tasks running. */
function scenario(opts: ServiceOptions = {}, replicas = 3) {
  const v1 = service('s', { replicas, image: 'app:v1', ...opts });
  const v2 = service('s', { replicas, image: 'app:v2', ...opts });
  v2.PreviousSpec = v1.Spec;
  const tasks = Array.from({ length: replicas }, (_, i) => task(v1, { id: `old${i + 1}`, slot: i + 1, nodeId: `n${i + 1}` }));
  return { v1, v2, tasks };
}

class Run {
  memory: UpdateMemory | undefined;
  readonly newId = idGenerator('u');
  constructor(
    public service: Service,
    public tasks: Task[],
    readonly timingScale?: number,
  ) {}
  step(now: number): UpdateStep {
    const step = advanceUpdate({ service: this.service, tasks: this.tasks, nodes, now, newId: this.newId, memory: this.memory, timingScale: this.timingScale });
    this.memory = step.memory;
    this.tasks = apply(this.tasks, step.changes);
    if (step.updateStatus) this.service = { ...this.service, UpdateStatus: step.updateStatus };
    return step;
  }
  created(step: UpdateStep): string[] {
    return step.changes.create.map((t) => t.ID);
  }
}

describe('advanceUpdate: rolling through the slots', () => {
  it('starts the update and replaces one slot at a time, stop-first', () => {
    const { v2, tasks } = scenario();
    const run = new Run(v2, tasks);
    const first = run.step(T0);
    expect(first.updateStatus).toEqual({ State: 'updating', StartedAt: toDockerTime(T0), Message: 'update in progress' });
    expect(first.changes.create.map((t) => [t.Slot, t.DesiredState, t.Spec.ContainerSpec.Image])).toEqual([[1, 'ready', 'app:v2']]);
    expect(first.changes.update).toEqual([{ id: 'old1', set: { DesiredState: 'shutdown' } }]);
    expect(first.changes.delayed).toEqual([{ taskId: 'u1', notBefore: T0, since: T0, waitForTaskId: 'old1' }]);

    // Nothing more while the new task is not running.
    expect(run.step(T0 + 1000).changes.create).toEqual([]);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 2000);
    const second = run.step(T0 + 2000);
    expect(second.changes.create.map((t) => t.Slot)).toEqual([2]);
    expect(second.changes.update).toEqual([{ id: 'old2', set: { DesiredState: 'shutdown' } }]);
  });

  it('replaces Parallelism slots at a time, all with 0', () => {
    const two = new Run(scenario({ updateConfig: { Parallelism: 2 } }).v2, scenario().tasks);
    expect(two.step(T0).changes.create.map((t) => t.Slot)).toEqual([1, 2]);
    const all = new Run(scenario({ updateConfig: { Parallelism: 0 } }).v2, scenario().tasks);
    expect(all.step(T0).changes.create.map((t) => t.Slot)).toEqual([1, 2, 3]);
  });

  it('waits Delay after a slot is running before the next, then monitors before completing', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, Delay: 10_000 * NS, Monitor: 5000 * NS } }, 2);
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 1000);
    const waiting = run.step(T0 + 1000);
    expect(waiting.changes.create).toEqual([]);
    expect(waiting.nextCheckAt).toBe(T0 + 6000); // end of u1's monitoring; the delay ends at T0 + 11 s
    expect(run.step(T0 + 10_999).changes.create).toEqual([]);
    expect(run.created(run.step(T0 + 11_000))).toEqual(['u2']);
    run.tasks = setState(run.tasks, 'u2', 'running', T0 + 12_000);
    run.step(T0 + 12_000);
    // Last slot done at 12 s + 10 s delay; Delay ≥ Monitor, so monitoring lasts Delay + 1 s.
    expect(run.step(T0 + 22_000).updateStatus).toBeUndefined();
    expect(run.step(T0 + 32_999).updateStatus).toBeUndefined();
    const done = run.step(T0 + 33_000);
    expect(done.updateStatus).toEqual({ State: 'completed', StartedAt: toDockerTime(T0), CompletedAt: toDockerTime(T0 + 33_000), Message: 'update completed' });
    expect(done.memory?.finished).toBe(true);
    // A finished update stays quiet.
    const quiet = run.step(T0 + 40_000);
    expect(quiet.changes).toEqual({ create: [], update: [], remove: [], delayed: [] });
    expect(quiet.updateStatus).toBeUndefined();
  });

  it('multiplies Delay, Monitor and the monitoring slack by the profile timing scale', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, Delay: 10_000 * NS, Monitor: 5000 * NS } }, 2);
    const run = new Run(v2, tasks, 0.05);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 1000);
    expect(run.step(T0 + 1000).nextCheckAt).toBe(T0 + 1250);
    expect(run.step(T0 + 1499).changes.create).toEqual([]);
    expect(run.created(run.step(T0 + 1500))).toEqual(['u2']);
    run.tasks = setState(run.tasks, 'u2', 'running', T0 + 2000);
    run.step(T0 + 2000);
    // Done at 2 s + 0.5 s delay; monitoring lasts 0.5 s + 0.05 s from there.
    expect(run.step(T0 + 3049).updateStatus).toBeUndefined();
    expect(run.step(T0 + 3050).updateStatus?.State).toBe('completed');
  });

  it('completes at once when nothing is out of date', () => {
    const s = service('s', { replicas: 1 });
    const updating = { ...s, UpdateStatus: { State: 'updating' as const, StartedAt: toDockerTime(T0), Message: 'update in progress' } };
    const step = advanceUpdate({ service: updating, tasks: [task(s, { id: 't', nodeId: 'n1' })], nodes, now: T0 + 5, newId: idGenerator() });
    expect(step.updateStatus).toMatchObject({ State: 'completed', Message: 'update completed' });
    expect(step.memory).toBeUndefined();
    // Without an update under way nothing happens.
    expect(advanceUpdate({ service: s, tasks: [task(s, { id: 't', nodeId: 'n1' })], nodes, now: T0, newId: idGenerator() })).toEqual({
      changes: { create: [], update: [], remove: [], delayed: [] },
    });
  });

  it('sees a slot left with two tasks meant to run even when both have the current spec', () => {
    const s = service('s', { replicas: 1 });
    const tasks = [task(s, { id: 'a', slot: 1, nodeId: 'n1', createdAt: T0 }), task(s, { id: 'b', slot: 1, nodeId: 'n2', createdAt: T0 + 1 })];
    const step = advanceUpdate({ service: s, tasks, nodes, now: T0 + 5, newId: idGenerator() });
    expect(step.updateStatus).toMatchObject({ State: 'updating' });
    expect(step.changes.update).toEqual([{ id: 'b', set: { DesiredState: 'shutdown' } }]);
  });

  it('start-first starts the new task before shutting the old one down', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, Order: 'start-first' } }, 1);
    const run = new Run(v2, tasks);
    const first = run.step(T0);
    expect(first.changes.update).toEqual([]);
    expect(first.changes.delayed).toEqual([{ taskId: 'u1', notBefore: T0, since: T0 }]);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 1000);
    expect(run.step(T0 + 1000).changes.update).toEqual([{ id: 'old1', set: { DesiredState: 'shutdown' } }]);
  });

  it('updates global services node by node', () => {
    const g1 = service('g', { global: true, image: 'app:v1' });
    const g2 = service('g', { global: true, image: 'app:v2' });
    const tasks = [task(g1, { id: 'a', nodeId: 'n1' }), task(g1, { id: 'b', nodeId: 'n2' })];
    const step = new Run(g2, tasks).step(T0);
    expect(step.changes.create.map((t) => [t.NodeID, t.Slot])).toEqual([['n1', undefined]]);
  });

  it('after losing its memory, carries on with the slots still out of date', () => {
    const { v2, tasks } = scenario();
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 1000);
    run.memory = undefined;
    const resumed = run.step(T0 + 1000);
    expect(resumed.updateStatus).toBeUndefined(); // still the same update
    expect(resumed.changes.create.map((t) => t.Slot)).toEqual([2]);
    expect(resumed.memory?.dirtySlots).toBe(2);
  });
});

describe('advanceUpdate: failures', () => {
  it('pauses on a new task that fails, with SwarmKit message', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, FailureAction: 'pause' } });
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'failed', T0 + 1000);
    const paused = run.step(T0 + 1000);
    expect(paused.updateStatus).toEqual({ State: 'paused', StartedAt: toDockerTime(T0), Message: 'update paused due to failure or early termination of task u1' });
    expect(paused.changes.create).toEqual([]);
    expect(run.step(T0 + 9000)).toEqual({ changes: { create: [], update: [], remove: [], delayed: [] } });
  });

  it('rolls back when the failure action says so', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, FailureAction: 'rollback' } });
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'rejected', T0 + 1000);
    const step = run.step(T0 + 1000);
    expect(step.rollback).toBe(true);
    expect(step.updateStatus).toEqual({
      State: 'rollback_started',
      StartedAt: toDockerTime(T0),
      Message: 'update rolled back due to failure or early termination of task u1',
    });
  });

  it('rolls back slot by slot with RollbackConfig and reports rollback completed', () => {
    const { v1, tasks } = scenario({ rollbackConfig: { Parallelism: 0, Monitor: 1000 * NS } }, 2);
    const v2tasks = tasks.map((t) => ({ ...t, Spec: { ...t.Spec, ContainerSpec: { ...t.Spec.ContainerSpec, Image: 'app:v2' } } }));
    const rollingBack = { ...v1, UpdateStatus: { State: 'rollback_started' as const, StartedAt: toDockerTime(T0), Message: 'manually requested rollback' } };
    const run = new Run(rollingBack, v2tasks);
    const first = run.step(T0);
    expect(first.updateStatus).toBeUndefined();
    expect(first.changes.create.map((t) => t.Spec.ContainerSpec.Image)).toEqual(['app:v1', 'app:v1']);
    run.tasks = setState(setState(run.tasks, 'u1', 'running', T0 + 500), 'u2', 'running', T0 + 500);
    run.step(T0 + 500);
    expect(run.step(T0 + 1500).updateStatus).toMatchObject({ State: 'rollback_completed', Message: 'rollback completed', StartedAt: toDockerTime(T0) });
  });

  it('never rolls back a rollback: it pauses it', () => {
    const { v1, tasks } = scenario({ rollbackConfig: { Parallelism: 1, FailureAction: 'rollback' } }, 1);
    const v2tasks = tasks.map((t) => ({ ...t, Spec: { ...t.Spec, ContainerSpec: { ...t.Spec.ContainerSpec, Image: 'app:v2' } } }));
    const run = new Run({ ...v1, UpdateStatus: { State: 'rollback_started', StartedAt: toDockerTime(T0), Message: 'x' } }, v2tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'failed', T0 + 100);
    const step = run.step(T0 + 100);
    expect(step.rollback).toBeUndefined();
    expect(step.updateStatus).toMatchObject({ State: 'rollback_paused', Message: 'rollback paused due to failure or early termination of task u1' });
  });

  it('continue ignores failures', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, FailureAction: 'continue' } });
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'failed', T0 + 100);
    const step = run.step(T0 + 100);
    expect(step.updateStatus).toBeUndefined();
    expect(step.changes.create.map((t) => t.Slot)).toEqual([2]);
  });

  it('acts only when failures exceed MaxFailureRatio of the slots', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 0, MaxFailureRatio: 0.5 } }, 4);
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(setState(run.tasks, 'u1', 'failed', T0 + 100), 'u2', 'failed', T0 + 100);
    expect(run.step(T0 + 100).updateStatus).toBeUndefined(); // 2/4 is not above 0.5
    run.tasks = setState(run.tasks, 'u3', 'failed', T0 + 200);
    expect(run.step(T0 + 200).updateStatus).toMatchObject({ State: 'paused' });
  });

  it('does not count a task that stopped after its monitoring period', () => {
    const { v2, tasks } = scenario({ updateConfig: { Parallelism: 1, Monitor: 5000 * NS } }, 2);
    const run = new Run(v2, tasks);
    run.step(T0);
    run.tasks = setState(run.tasks, 'u1', 'running', T0 + 1000);
    run.step(T0 + 1000);
    run.tasks = setState(run.tasks, 'u1', 'failed', T0 + 7000);
    expect(run.step(T0 + 7000).updateStatus).toBeUndefined();
  });
});
