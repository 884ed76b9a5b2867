// Jobs (SwarmKit manager/orchestrator/jobs): replicated jobs run at most MaxConcurrent tasks until
// TotalCompletions completed, each in its own slot; global jobs one task per node that was there
// when the run began; failed tasks are replaced, completed ones never; an update starts a new run.

import type { Service, Task, TaskState } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import { toDockerTime } from '../src/clock.js';
import { reconcileGlobalJob, reconcileReplicatedJob, startDelayedTasks, type TaskChanges } from '../src/manager/orchestrator/index.js';
import { idGenerator, node, service, T0, task } from './scheduler-fixtures.js';

const NOW = T0 + 60_000;

function replicatedJob(maxConcurrent: number, total: number, iteration = 0): Service {
  const s = service('job');
  s.Spec.Mode = { ReplicatedJob: { MaxConcurrent: maxConcurrent, TotalCompletions: total } };
  s.JobStatus = { JobIteration: { Index: iteration }, LastExecution: toDockerTime(T0 + 1000) };
  return s;
}

function globalJob(iteration = 0, began = T0 + 1000): Service {
  const s = service('gjob');
  s.Spec.Mode = { GlobalJob: {} };
  s.JobStatus = { JobIteration: { Index: iteration }, LastExecution: toDockerTime(began) };
  return s;
}

/** A task of the job's run `iteration`, in `state`, meant to complete. */
function jobTask(s: Service, o: { id: string; slot?: number; nodeId?: string; state?: TaskState; desired?: TaskState; iteration?: number }): Task {
  const t = task(s, { id: o.id, slot: o.slot ?? 0, nodeId: o.nodeId, state: o.state ?? 'running', desired: o.desired ?? 'complete' });
  if (s.Spec.Mode.GlobalJob) delete t.Slot;
  return { ...t, JobIteration: { Index: o.iteration ?? 0 } };
}

const created = (c: TaskChanges) => c.create.map((t) => ({ slot: t.Slot, node: t.NodeID, desired: t.DesiredState, iteration: t.JobIteration?.Index }));

describe('replicated jobs', () => {
  it('start MaxConcurrent tasks in slots 0…, meant to complete', () => {
    const c = reconcileReplicatedJob(replicatedJob(2, 5), [], NOW, idGenerator());
    expect(created(c)).toEqual([
      { slot: 0, node: undefined, desired: 'complete', iteration: 0 },
      { slot: 1, node: undefined, desired: 'complete', iteration: 0 },
    ]);
  });

  it('start the next task as one completes, never beyond TotalCompletions, and stop when all completed', () => {
    const s = replicatedJob(2, 3);
    const one = [jobTask(s, { id: 'a', slot: 0, state: 'complete' }), jobTask(s, { id: 'b', slot: 1 })];
    expect(created(reconcileReplicatedJob(s, one, NOW, idGenerator()))).toEqual([{ slot: 2, node: undefined, desired: 'complete', iteration: 0 }]);
    const two = [...one, jobTask(s, { id: 'c', slot: 2 })];
    expect(reconcileReplicatedJob(s, two, NOW, idGenerator()).create).toEqual([]);
    const done = ['a', 'b', 'c'].map((id, slot) => jobTask(s, { id, slot, state: 'complete' }));
    expect(reconcileReplicatedJob(s, done, NOW, idGenerator())).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });

  it('replace a failed task in its slot after the restart delay, and start it toward completion', () => {
    const s = replicatedJob(1, 1);
    const c = reconcileReplicatedJob(s, [jobTask(s, { id: 'a', slot: 0, state: 'failed' })], NOW, idGenerator(), { timingScale: 0.05 });
    expect(c.update).toEqual([{ id: 'a', set: { DesiredState: 'shutdown' } }]);
    expect(created(c)).toEqual([{ slot: 0, node: undefined, desired: 'ready', iteration: 0 }]);
    expect(c.delayed).toEqual([{ taskId: 'new1', notBefore: NOW + 250, since: NOW }]);
    const replacement = { ...c.create[0]!, Status: { ...c.create[0]!.Status, State: 'ready' as const } };
    const started = startDelayedTasks([replacement], [node('n1')], NOW + 250, new Map(c.delayed!.map((d) => [d.taskId, d])));
    expect(started.changes.update).toEqual([{ id: 'new1', set: { DesiredState: 'complete' } }]);
  });

  it('remove the running tasks of an earlier run and start the new run from slot 0', () => {
    const s = replicatedJob(1, 2, 7);
    const old = jobTask(s, { id: 'old', slot: 0, iteration: 6 });
    const c = reconcileReplicatedJob(s, [old, jobTask(s, { id: 'done', slot: 1, state: 'complete', iteration: 6 })], NOW, idGenerator());
    expect(c.update).toEqual([{ id: 'old', set: { DesiredState: 'remove' } }]);
    expect(created(c)).toEqual([{ slot: 0, node: undefined, desired: 'complete', iteration: 7 }]);
  });
});

describe('global jobs', () => {
  const nodes = [node('n1'), node('n2', { availability: 'drain' }), node('n3', { state: 'down' }), node('n4', { availability: 'pause' })];

  it('run one task on every ready, active node that was there when the run began', () => {
    const late = { ...node('n5'), CreatedAt: toDockerTime(T0 + 5000) };
    const c = reconcileGlobalJob(globalJob(), [], [...nodes, late], NOW, idGenerator());
    expect(created(c)).toEqual([{ slot: undefined, node: 'n1', desired: 'complete', iteration: 0 }]);
  });

  it('leave a node whose task completed alone, replace a failed one there, and shut down a task on a node gone invalid', () => {
    const s = globalJob();
    const all = [node('n1'), node('n2'), node('n3', { state: 'down' })];
    const tasks = [jobTask(s, { id: 'ok', nodeId: 'n1', state: 'complete' }), jobTask(s, { id: 'bad', nodeId: 'n2', state: 'failed' }), jobTask(s, { id: 'lost', nodeId: 'n3' })];
    const c = reconcileGlobalJob(s, tasks, all, NOW, idGenerator());
    expect(c.update).toEqual(expect.arrayContaining([{ id: 'lost', set: { DesiredState: 'shutdown' } }, { id: 'bad', set: { DesiredState: 'shutdown' } }]));
    expect(created(c)).toEqual([{ slot: undefined, node: 'n2', desired: 'ready', iteration: 0 }]);
  });

  it('shut down the tasks of an earlier run and run the new one everywhere', () => {
    const s = globalJob(3, NOW - 1000);
    const c = reconcileGlobalJob(s, [jobTask(s, { id: 'old', nodeId: 'n1', state: 'complete', iteration: 2 })], [node('n1')], NOW, idGenerator());
    expect(c.update).toEqual([{ id: 'old', set: { DesiredState: 'shutdown' } }]);
    expect(created(c)).toEqual([{ slot: undefined, node: 'n1', desired: 'complete', iteration: 3 }]);
  });
});
