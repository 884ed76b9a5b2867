import { describe, expect, it } from 'vitest';
import { reconcileGlobal, restartDecisions, type TaskChanges } from '../src/manager/orchestrator/index.js';
import { idGenerator, node, service, T0, task } from './scheduler-fixtures.js';

function desired(changes: TaskChanges): Record<string, unknown> {
  return Object.fromEntries(changes.update.map((u) => [u.id, u.set.DesiredState]));
}

describe('reconcileGlobal', () => {
  const g = service('g', { global: true });

  it('creates one task per node, carrying its node ID', () => {
    const c = reconcileGlobal(g, [], [node('n2'), node('n1')], T0, idGenerator());
    expect(c.create.map((t) => [t.NodeID, t.Slot, t.DesiredState])).toEqual([
      ['n1', undefined, 'running'],
      ['n2', undefined, 'running'],
    ]);
  });

  it('gives a joining node a task and leaves the others alone', () => {
    const tasks = [task(g, { id: 'a', nodeId: 'n1' })];
    const c = reconcileGlobal(g, tasks, [node('n1'), node('n2')], T0, idGenerator());
    expect(c.create.map((t) => t.NodeID)).toEqual(['n2']);
    expect(c.update).toEqual([]);
  });

  it('shuts tasks down on drained, down and deleted nodes without replacing them', () => {
    const tasks = [task(g, { id: 'a', nodeId: 'n1' }), task(g, { id: 'b', nodeId: 'n2' }), task(g, { id: 'c', nodeId: 'gone' })];
    const c = reconcileGlobal(g, tasks, [node('n1', { availability: 'drain' }), node('n2', { state: 'down' })], T0, idGenerator());
    expect(desired(c)).toEqual({ a: 'shutdown', b: 'shutdown', c: 'shutdown' });
    expect(c.create).toEqual([]);
  });

  it('keeps the task of a paused node but gives a paused node none', () => {
    const tasks = [task(g, { id: 'a', nodeId: 'n1' })];
    const c = reconcileGlobal(g, tasks, [node('n1', { availability: 'pause' }), node('n2', { availability: 'pause' })], T0, idGenerator());
    expect(c).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });

  it('follows constraints: tasks only where they are met, shut down where they no longer are', () => {
    const gc = service('gc', { global: true, constraints: ['node.labels.type==edge'] });
    const tasks = [task(gc, { id: 'a', nodeId: 'n1' })];
    const nodes = [node('n1', { labels: { type: 'core' } }), node('n2', { labels: { type: 'edge' } }), node('n3')];
    const c = reconcileGlobal(gc, tasks, nodes, T0, idGenerator());
    expect(desired(c)).toEqual({ a: 'shutdown' });
    expect(c.create.map((t) => t.NodeID)).toEqual(['n2']);
  });

  it('counts a stopped task the policy will not restart as the node task', () => {
    const once = service('once', { global: true, restart: { Condition: 'none' } });
    const tasks = [task(once, { id: 'a', nodeId: 'n1', state: 'complete', desired: 'shutdown' })];
    expect(reconcileGlobal(once, tasks, [node('n1')], T0, idGenerator()).create).toEqual([]);
  });

  it('converges on a stable store', () => {
    const tasks = [task(g, { id: 'a', nodeId: 'n1' }), task(g, { id: 'old', nodeId: 'n1', state: 'failed', desired: 'shutdown' })];
    expect(reconcileGlobal(g, tasks, [node('n1')], T0, idGenerator())).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });
});

describe('restartDecisions for global services', () => {
  const g = service('g', { global: true });
  it('restarts a failed task on its own node', () => {
    const c = restartDecisions(g, [task(g, { id: 'a', nodeId: 'n1', state: 'failed' })], T0, idGenerator(), { nodes: [node('n1')] });
    expect(desired(c)).toEqual({ a: 'shutdown' });
    expect(c.create.map((t) => [t.NodeID, t.DesiredState])).toEqual([['n1', 'ready']]);
  });

  it('only shuts it down on a paused node or one that no longer meets the constraints', () => {
    const paused = restartDecisions(g, [task(g, { id: 'a', nodeId: 'n1', state: 'failed' })], T0, idGenerator(), {
      nodes: [node('n1', { availability: 'pause' })],
    });
    expect(desired(paused)).toEqual({ a: 'shutdown' });
    expect(paused.create).toEqual([]);
    const gc = service('gc', { global: true, constraints: ['node.role==manager'] });
    const unmet = restartDecisions(gc, [task(gc, { id: 'a', nodeId: 'n1', state: 'failed' })], T0, idGenerator(), { nodes: [node('n1')] });
    expect(unmet.create).toEqual([]);
  });

  it('leaves tasks of drained or down nodes to reconcileGlobal', () => {
    const c = restartDecisions(g, [task(g, { id: 'a', nodeId: 'n1', state: 'failed' })], T0, idGenerator(), { nodes: [node('n1', { state: 'down' })] });
    expect(c).toEqual({ create: [], update: [], remove: [], delayed: [] });
  });
});
