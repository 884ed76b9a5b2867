// The decision functions run together in rounds over a small simulated cluster, the way the
// manager's reconciliation loop runs them: they must cooperate and converge.

import type { Node, Service, Task, TaskState } from '@swarmlab/api';
import { describe, expect, it } from 'vitest';
import { toDockerTime } from '../src/clock.js';
import {
  emptyChanges,
  mergeChanges,
  pruneHistory,
  reconcileGlobal,
  reconcileReplicated,
  restartDecisions,
  startDelayedTasks,
  type DelayedStart,
  type TaskChanges,
} from '../src/manager/orchestrator/index.js';
import { scheduleTasks } from '../src/manager/scheduler/index.js';
import { idGenerator, node, service, T0 } from './scheduler-fixtures.js';

class Cluster {
  tasks: Task[] = [];
  readonly delayed = new Map<string, DelayedStart>();
  readonly newId = idGenerator('t');
  /** What agents do with a task that is told to run: 'run' it, or 'fail' it. */
  behaviour: 'run' | 'fail' = 'run';
  constructor(
    public nodes: Node[],
    public service: Service,
  ) {}

  private apply(c: TaskChanges): void {
    this.tasks = this.tasks.filter((t) => !c.remove.includes(t.ID));
    this.tasks.push(...c.create.map((t) => structuredClone(t)));
    for (const u of c.update) {
      const t = this.tasks.find((x) => x.ID === u.id);
      if (t && u.set.DesiredState) t.DesiredState = u.set.DesiredState as TaskState;
    }
    for (const d of c.delayed ?? []) this.delayed.set(d.taskId, d);
  }

  private setState(t: Task, state: TaskState, now: number): void {
    t.Status = { ...t.Status, State: state, Timestamp: toDockerTime(now) };
  }

  /** One round of decisions, then the scheduler, then the agents. Returns how many decisions were made. */
  round(now: number): number {
    const { service: s, nodes } = this;
    const c = emptyChanges();
    mergeChanges(c, s.Spec.Mode.Global ? reconcileGlobal(s, this.tasks, nodes, now, this.newId) : reconcileReplicated(s, this.tasks, nodes, now, this.newId));
    mergeChanges(c, restartDecisions(s, this.tasks, now, this.newId, { nodes, delayed: this.delayed }));
    mergeChanges(c, startDelayedTasks(this.tasks, nodes, now, this.delayed).changes);
    c.remove.push(...pruneHistory(s, this.tasks, 5));
    const decisions = c.create.length + c.update.length + c.remove.length;
    this.apply(c);
    for (const t of this.tasks) if (t.Status.State === 'new') this.setState(t, 'pending', now);
    const { assign } = scheduleTasks({ tasks: this.tasks, nodes, services: [s], now });
    for (const t of this.tasks) {
      const nodeId = assign.get(t.ID);
      if (nodeId) {
        t.NodeID = nodeId;
        this.setState(t, 'assigned', now);
      }
    }
    // Agents on live nodes: run what should run, stop what should stop.
    for (const t of this.tasks) {
      const n = nodes.find((x) => x.ID === t.NodeID);
      if (!n || n.Status.State === 'down') continue;
      const active = ['assigned', 'running'].includes(t.Status.State);
      if (active && t.DesiredState === 'running' && t.Status.State === 'assigned') this.setState(t, this.behaviour === 'run' ? 'running' : 'failed', now);
      else if (active && ['shutdown', 'remove'].includes(t.DesiredState)) this.setState(t, 'shutdown', now);
    }
    return decisions + assign.size;
  }

  /** Rounds every second until nothing changed for longer than a restart delay. */
  settle(from: number, maxSeconds = 120): number {
    let now = from;
    for (let quiet = 0; quiet < 8 && now < from + maxSeconds * 1000; now += 1000) quiet = this.round(now) === 0 ? quiet + 1 : 0;
    return now;
  }

  running(): Task[] {
    return this.tasks.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
  }
}

describe('orchestrators, scheduler and restart supervisor together', () => {
  it('bring a service up, move the tasks of a node that goes down, and go quiet', () => {
    const cluster = new Cluster([node('n1'), node('n2'), node('n3')], service('s', { replicas: 3 }));
    let now = cluster.settle(T0);
    expect(cluster.running().map((t) => [t.Slot, t.NodeID]).sort()).toEqual([
      [1, 'n1'],
      [2, 'n2'],
      [3, 'n3'],
    ]);

    cluster.nodes = [node('n1', { state: 'down' }), node('n2'), node('n3')];
    now = cluster.settle(now);
    const running = cluster.running();
    expect(running.map((t) => t.Slot).sort()).toEqual([1, 2, 3]);
    expect(running.every((t) => t.NodeID !== 'n1')).toBe(true);
    expect(cluster.round(now)).toBe(0);
  });

  it('gives up after MaxAttempts restarts of a failing task and keeps that history', () => {
    const cluster = new Cluster([node('n1')], service('s', { replicas: 1, restart: { Condition: 'on-failure', MaxAttempts: 2, Delay: 0 } }));
    cluster.behaviour = 'fail';
    const now = cluster.settle(T0);
    expect(cluster.tasks.map((t) => [t.Slot, t.Status.State, t.DesiredState])).toEqual([
      [1, 'failed', 'shutdown'],
      [1, 'failed', 'shutdown'],
      [1, 'failed', 'shutdown'],
    ]);
    expect(cluster.round(now)).toBe(0);
  });

  it('keeps restarting a failing task under the default policy, pruning history to the limit', () => {
    const cluster = new Cluster([node('n1')], service('s', { replicas: 1 }));
    cluster.behaviour = 'fail';
    let now = T0;
    for (; now < T0 + 60_000; now += 1000) cluster.round(now);
    // About one restart per 5 s restart delay, history capped at 5 tasks for the slot.
    expect(cluster.tasks.length).toBe(5);
    expect(cluster.newId().replace('t', '')).toMatch(/^1[0-4]$/);
  });

  it('runs a global service on every node, following drain and reactivation', () => {
    const cluster = new Cluster([node('n1'), node('n2')], service('g', { global: true }));
    let now = cluster.settle(T0);
    expect(cluster.running().map((t) => t.NodeID).sort()).toEqual(['n1', 'n2']);
    cluster.nodes = [node('n1', { availability: 'drain' }), node('n2')];
    now = cluster.settle(now);
    expect(cluster.running().map((t) => t.NodeID)).toEqual(['n2']);
    cluster.nodes = [node('n1'), node('n2')];
    cluster.settle(now);
    expect(cluster.running().map((t) => t.NodeID).sort()).toEqual(['n1', 'n2']);
  });
});
