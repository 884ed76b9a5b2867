import { describe, expect, it } from 'vitest';
import { restartDecisions, shouldRestart, startDelayedTasks, type TaskChanges } from '../src/manager/orchestrator/index.js';
import { idGenerator, node, NS, service, T0, task } from './scheduler-fixtures.js';

function desired(changes: TaskChanges): Record<string, unknown> {
  return Object.fromEntries(changes.update.map((u) => [u.id, u.set.DesiredState]));
}

const NOW = T0 + 60_000;

describe('restartDecisions: conditions', () => {
  it('any (the default): a failed task is shut down and replaced in its slot after 5 s', () => {
    const s = service('s');
    const c = restartDecisions(s, [task(s, { id: 't1', slot: 3, nodeId: 'n1', state: 'failed' })], NOW, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.create.map((t) => [t.ID, t.Slot, t.DesiredState, t.Status.State])).toEqual([['new1', 3, 'ready', 'new']]);
    expect(c.delayed).toEqual([{ taskId: 'new1', notBefore: NOW + 5000, since: NOW }]);
  });

  it('any restarts a task that completed too', () => {
    const s = service('s', { restart: { Condition: 'any' } });
    expect(restartDecisions(s, [task(s, { id: 't1', nodeId: 'n1', state: 'complete' })], NOW, idGenerator()).create).toHaveLength(1);
  });

  it('on-failure restarts failed and rejected tasks but not completed ones', () => {
    const s = service('s', { restart: { Condition: 'on-failure' } });
    const tasks = [
      task(s, { id: 'failed', slot: 1, nodeId: 'n1', state: 'failed' }),
      task(s, { id: 'rejected', slot: 2, nodeId: 'n1', state: 'rejected' }),
      task(s, { id: 'done', slot: 3, nodeId: 'n1', state: 'complete' }),
    ];
    const c = restartDecisions(s, tasks, NOW, idGenerator());
    expect(desired(c)).toEqual({ failed: 'shutdown', rejected: 'shutdown', done: 'shutdown' });
    expect(c.create.map((t) => t.Slot).sort()).toEqual([1, 2]);
  });

  it('none only shuts the task down', () => {
    const s = service('s', { restart: { Condition: 'none' } });
    const c = restartDecisions(s, [task(s, { id: 't1', nodeId: 'n1', state: 'failed' })], NOW, idGenerator());
    expect(desired(c)).toEqual({ t1: 'shutdown' });
    expect(c.create).toEqual([]);
  });

  it('uses the policy delay, and none on a drained node', () => {
    const s = service('s', { restart: { Condition: 'any', Delay: 2000 * NS } });
    const failed = task(s, { id: 't1', nodeId: 'n1', state: 'failed' });
    expect(restartDecisions(s, [failed], NOW, idGenerator(), { nodes: [node('n1')] }).delayed).toEqual([{ taskId: 'new1', notBefore: NOW + 2000, since: NOW }]);
    expect(restartDecisions(s, [failed], NOW, idGenerator(), { nodes: [node('n1', { availability: 'drain' })] }).delayed).toEqual([
      { taskId: 'new1', notBefore: NOW, since: NOW },
    ]);
  });

  it('multiplies the delay by the profile timing scale (fast: 1/20), for replacements and for tasks without a known start', () => {
    const s = service('s');
    const failed = task(s, { id: 't1', nodeId: 'n1', state: 'failed' });
    expect(restartDecisions(s, [failed], NOW, idGenerator(), { timingScale: 0.05 }).delayed).toEqual([{ taskId: 'new1', notBefore: NOW + 250, since: NOW }]);
    const early = task(s, { id: 'r1', nodeId: 'n1', state: 'rejected', desired: 'ready', createdAt: NOW - 200 });
    expect(restartDecisions(s, [early], NOW, idGenerator(), { timingScale: 0.05 }).create).toEqual([]);
    expect(restartDecisions(s, [early], NOW + 50, idGenerator(), { timingScale: 0.05 }).create).toHaveLength(1);
    const waiting = task(s, { id: 'w1', nodeId: 'n1', state: 'new', desired: 'ready', createdAt: NOW - 200 });
    expect(startDelayedTasks([waiting], [node('n1')], NOW, new Map(), 0.05)).toEqual({ changes: expect.objectContaining({ update: [] }), nextCheckAt: NOW + 50 });
  });

  it('ignores tasks that were asked to stop, and tasks still running', () => {
    const s = service('s');
    const tasks = [task(s, { id: 'a', nodeId: 'n1', state: 'shutdown', desired: 'shutdown' }), task(s, { id: 'b', slot: 2, nodeId: 'n1' })];
    expect(restartDecisions(s, tasks, NOW, idGenerator())).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });

  it('waits for a replacement that stopped during its own delay before restarting it', () => {
    const s = service('s');
    const early = task(s, { id: 'r1', nodeId: 'n1', state: 'rejected', desired: 'ready', createdAt: NOW - 2000 });
    expect(restartDecisions(s, [early], NOW, idGenerator()).create).toEqual([]);
    expect(restartDecisions(s, [early], NOW + 3000, idGenerator()).create).toHaveLength(1);
    const known = new Map([['r1', { taskId: 'r1', notBefore: NOW - 1, since: NOW - 2000 }]]);
    expect(restartDecisions(s, [early], NOW, idGenerator(), { delayed: known }).create).toHaveLength(1);
  });
});

describe('restartDecisions: max attempts and window', () => {
  const history = (s: ReturnType<typeof service>, n: number) =>
    Array.from({ length: n }, (_, i) =>
      task(s, { id: `t${i}`, nodeId: 'n1', state: 'failed', desired: i === n - 1 ? 'running' : 'shutdown', createdAt: T0 + i * 10_000, at: T0 + i * 10_000 + 5000 }),
    );

  it('stops restarting once MaxAttempts restarts happened', () => {
    const s = service('s', { restart: { Condition: 'on-failure', MaxAttempts: 2 } });
    // Original + 1 restart: one more allowed.
    expect(restartDecisions(s, history(s, 2), NOW, idGenerator()).create).toHaveLength(1);
    // Original + 2 restarts: no more.
    const c = restartDecisions(s, history(s, 3), NOW, idGenerator());
    expect(c.create).toEqual([]);
    expect(desired(c)).toEqual({ t2: 'shutdown' });
  });

  it('counts only restarts within the window before the failure', () => {
    const s = service('s', { restart: { Condition: 'any', MaxAttempts: 2, Window: 16_000 * NS } });
    // Restarts created at T0+10 s and T0+20 s; the last task failed at T0+25 s: both in the window.
    expect(restartDecisions(s, history(s, 3), NOW, idGenerator()).create).toEqual([]);
    const wide = service('s', { restart: { Condition: 'any', MaxAttempts: 2, Window: 12_000 * NS } });
    // Only the restart at T0+20 s falls within 12 s before T0+25 s.
    expect(restartDecisions(wide, history(wide, 3), NOW, idGenerator()).create).toHaveLength(1);
  });

  it('starts counting again after an update changed the spec', () => {
    const old = service('s', { restart: { Condition: 'any', MaxAttempts: 1 } });
    const updated = service('s', { image: 'busybox:2', restart: { Condition: 'any', MaxAttempts: 1 } });
    const tasks = [...history(old, 2).map((t) => ({ ...t, DesiredState: 'shutdown' as const })), task(updated, { id: 'u', nodeId: 'n1', state: 'failed', createdAt: T0 + 60_000 })];
    expect(restartDecisions(updated, tasks, NOW, idGenerator()).create).toHaveLength(1);
    expect(shouldRestart(tasks[0], tasks)).toBe(true); // an old version's task: its history was reset
  });
});

describe('startDelayedTasks', () => {
  const s = service('s');
  const replacement = (over: Partial<{ createdAt: number; state: 'pending' | 'assigned' | 'failed' }> = {}) =>
    task(s, { id: 'r', nodeId: 'n1', state: over.state ?? 'assigned', desired: 'ready', createdAt: over.createdAt ?? NOW });

  it('raises desired state to running once the delay has passed', () => {
    const delayed = new Map([['r', { taskId: 'r', notBefore: NOW + 5000, since: NOW }]]);
    const early = startDelayedTasks([replacement()], [node('n1')], NOW + 4999, delayed);
    expect(early.changes.update).toEqual([]);
    expect(early.nextCheckAt).toBe(NOW + 5000);
    expect(startDelayedTasks([replacement()], [node('n1')], NOW + 5000, delayed).changes.update).toEqual([{ id: 'r', set: { DesiredState: 'running' } }]);
  });

  it('waits for the old task to stop, its node to go down, or a minute', () => {
    const delayed = new Map([['r', { taskId: 'r', notBefore: NOW, waitForTaskId: 'old', since: NOW }]]);
    const old = task(s, { id: 'old', nodeId: 'n2', desired: 'shutdown' });
    const waiting = startDelayedTasks([replacement(), old], [node('n1'), node('n2')], NOW + 1000, delayed);
    expect(waiting.changes.update).toEqual([]);
    expect(waiting.nextCheckAt).toBe(NOW + 60_000);
    const stopped = { ...old, Status: { ...old.Status, State: 'shutdown' as const } };
    expect(startDelayedTasks([replacement(), stopped], [node('n1'), node('n2')], NOW + 1000, delayed).changes.update).toHaveLength(1);
    expect(startDelayedTasks([replacement(), old], [node('n1'), node('n2', { state: 'down' })], NOW + 1000, delayed).changes.update).toHaveLength(1);
    expect(startDelayedTasks([replacement(), old], [node('n1'), node('n2')], NOW + 60_000, delayed).changes.update).toHaveLength(1);
  });

  it('without a record, starts a task its restart delay after its creation', () => {
    expect(startDelayedTasks([replacement()], [node('n1')], NOW + 4000).changes.update).toEqual([]);
    expect(startDelayedTasks([replacement()], [node('n1')], NOW + 5000).changes.update).toHaveLength(1);
  });

  it('leaves stopped and running-desired tasks alone', () => {
    const running = task(s, { id: 'x', nodeId: 'n1' });
    const failed = replacement({ state: 'failed' });
    expect(startDelayedTasks([running, failed], [node('n1')], NOW + 99_000).changes.update).toEqual([]);
  });
});
