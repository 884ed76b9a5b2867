// The conditions scripts hand to lab.waitFor, against a real swarm (1 manager, 1 worker): each is
// falsy until what it names is true, then gives back what it saw.

import { describe, expect, it } from 'vitest';
import { leaderElected, nodeStatus, tasksRunning } from '../src/conditions.js';
import { labPerFile } from './helpers/lab-per-file.js';

const file = labPerFile('conditions');

describe('conditions for lab.waitFor', () => {
  it('a leader, a node status and a service at its count, through a worker isolated and healed', async () => {
    const lab = await file.up({ managers: 1, workers: 1, fresh: true });
    expect(await leaderElected(lab)()).toBe('manager1');
    expect(await leaderElected(lab, { not: 'm1' })()).toBeUndefined();

    const worker = await nodeStatus(lab, 'w1', 'ready')();
    expect(worker && worker.Description.Hostname).toBe('worker1');
    expect(await nodeStatus(lab, 'worker1', 'down')()).toBeUndefined();

    await lab.client('manager1').serviceCreate({ Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'nginx' } }, Mode: { Replicated: { Replicas: 2 } } });
    const tasks = await lab.waitFor(tasksRunning(lab, 'web', 2), 30_000, 'two tasks of web running');
    expect(tasks.map((t) => t.Status.State)).toEqual(['running', 'running']);
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(2);
    expect(await tasksRunning(lab, 'web', 3)()).toBeUndefined();

    // The worker's task is not counted once the leader sees it Down, and is replaced on the manager.
    await lab.isolate('worker1');
    const down = await lab.waitFor(nodeStatus(lab, 'worker1', 'down'), 20_000, 'worker1 down');
    const moved = await lab.waitFor(tasksRunning(lab, 'web', 2), 30_000, 'web back at two tasks');
    expect(moved.every((t) => t.NodeID !== down.ID)).toBe(true);

    await lab.heal();
    await lab.waitFor(nodeStatus(lab, 'worker1', 'ready'), 20_000, 'worker1 ready again');
  }, 90_000);
});
