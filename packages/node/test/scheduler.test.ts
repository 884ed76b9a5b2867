import { describe, expect, it } from 'vitest';
import { scheduleTasks } from '../src/manager/scheduler/index.js';
import { node, pendingTask, service, T0, task } from './scheduler-fixtures.js';

const threeNodes = () => [node('n1'), node('n2'), node('n3')];

function placements(assign: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...assign].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('scheduler: spread', () => {
  it('spreads one batch evenly, slot order over node order, each task counting for the next', () => {
    const s = service('s1', { replicas: 6 });
    const tasks = [1, 2, 3, 4, 5, 6].map((slot) => pendingTask(s, `t${slot}`, slot));
    const { assign, pending } = scheduleTasks({ tasks, nodes: threeNodes(), services: [s] });
    expect(pending.size).toBe(0);
    expect(placements(assign)).toEqual({ t1: 'n1', t2: 'n2', t3: 'n3', t4: 'n1', t5: 'n2', t6: 'n3' });
  });

  it('prefers nodes with the fewest tasks of the service', () => {
    const s = service('s1', { replicas: 4 });
    const tasks = [
      task(s, { id: 'a', slot: 1, nodeId: 'n1' }),
      task(s, { id: 'b', slot: 2, nodeId: 'n1' }),
      pendingTask(s, 'c', 3),
      pendingTask(s, 'd', 4),
    ];
    const { assign } = scheduleTasks({ tasks, nodes: threeNodes(), services: [s] });
    expect(placements(assign)).toEqual({ c: 'n2', d: 'n3' });
  });

  it('breaks ties on the total number of tasks, then on node ID', () => {
    const other = service('other', { replicas: 2 });
    const s = service('s1', { replicas: 1 });
    const tasks = [task(other, { id: 'o1', slot: 1, nodeId: 'n1' }), task(other, { id: 'o2', slot: 2, nodeId: 'n2' }), pendingTask(s, 't1')];
    expect(placements(scheduleTasks({ tasks, nodes: threeNodes(), services: [s, other] }).assign)).toEqual({ t1: 'n3' });
    expect(placements(scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: threeNodes(), services: [s] }).assign)).toEqual({ t1: 'n1' });
  });

  it('does not count tasks that are no longer wanted as the service tasks of a node', () => {
    const s = service('s1', { replicas: 2 });
    const tasks = [task(s, { id: 'old', slot: 1, nodeId: 'n1', desired: 'shutdown' }), pendingTask(s, 'new', 1)];
    const { assign } = scheduleTasks({ tasks, nodes: [node('n1'), node('n2')], services: [s] });
    expect(assign.get('new')).toBe('n1'); // same service count (0), n1 first by ID
  });

  it('only places PENDING tasks that are still meant to run', () => {
    const s = service('s1', { replicas: 3 });
    const removed = pendingTask(s, 'gone', 1);
    removed.DesiredState = 'shutdown';
    const fresh = pendingTask(s, 'fresh', 2);
    fresh.Status.State = 'new';
    const ready = pendingTask(s, 'ready', 3);
    ready.DesiredState = 'ready';
    const { assign, pending } = scheduleTasks({ tasks: [removed, fresh, ready], nodes: threeNodes(), services: [s] });
    expect([...assign.keys()]).toEqual(['ready']);
    expect(pending.size).toBe(0);
  });

  it('pushes back a node where the service failed five times in the last five minutes', () => {
    const s = service('s1', { replicas: 1 });
    const failures = [1, 2, 3, 4, 5].map((i) => task(s, { id: `f${i}`, nodeId: 'n1', state: 'failed', desired: 'shutdown', at: T0 + i * 1000 }));
    const busy = service('busy', { replicas: 1 });
    const tasks = [...failures, task(busy, { id: 'b1', nodeId: 'n2' }), pendingTask(s, 't1')];
    const nodes = [node('n1'), node('n2')];
    expect(scheduleTasks({ tasks, nodes, services: [s, busy], now: T0 + 60_000 }).assign.get('t1')).toBe('n2');
    // Ten minutes later the failures are forgotten.
    expect(scheduleTasks({ tasks, nodes, services: [s, busy], now: T0 + 10 * 60_000 }).assign.get('t1')).toBe('n1');
  });
});

describe('scheduler: availability', () => {
  it('places new tasks only on ready, active nodes', () => {
    const s = service('s1', { replicas: 3 });
    const nodes = [node('n1', { availability: 'pause' }), node('n2', { availability: 'drain' }), node('n3'), node('n4', { state: 'down' })];
    const tasks = [1, 2, 3].map((slot) => pendingTask(s, `t${slot}`, slot));
    const { assign } = scheduleTasks({ tasks, nodes, services: [s] });
    expect(new Set(assign.values())).toEqual(new Set(['n3']));
    expect(assign.size).toBe(3);
  });

  it('explains a task that fits nowhere because the only node is drained', () => {
    const s = service('s1');
    const { assign, pending } = scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: [node('n1', { availability: 'drain' })], services: [s] });
    expect(assign.size).toBe(0);
    expect(pending.get('t1')).toBe('no suitable node (1 node not available for new tasks)');
  });

  it('says "no suitable node" alone when there are no nodes', () => {
    const s = service('s1');
    expect(scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: [], services: [s] }).pending.get('t1')).toBe('no suitable node');
  });

  it('drops tasks whose service is gone instead of explaining them', () => {
    const s = service('s1');
    const { assign, pending } = scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: [], services: [] });
    expect(assign.size + pending.size).toBe(0);
  });
});

describe('scheduler: constraints', () => {
  it('places tasks only on nodes that meet every constraint', () => {
    const s = service('s1', { replicas: 2, constraints: ['node.labels.zone==EU', 'node.role!=manager'] });
    const nodes = [
      node('n1', { labels: { zone: 'eu' }, role: 'manager' }),
      node('n2', { labels: { zone: 'eu' } }),
      node('n3', { labels: { zone: 'us' } }),
    ];
    const { assign } = scheduleTasks({ tasks: [pendingTask(s, 't1', 1), pendingTask(s, 't2', 2)], nodes, services: [s] });
    expect(placements(assign)).toEqual({ t1: 'n2', t2: 'n2' });
  });

  it('explains a constraint no node meets with the number of nodes', () => {
    const s = service('s1', { constraints: ['node.labels.disk==ssd'] });
    const { pending } = scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: threeNodes(), services: [s] });
    expect(pending.get('t1')).toBe('no suitable node (scheduling constraints not satisfied on 3 nodes)');
  });

  it('orders explanations by how many nodes each filter rejected', () => {
    const s = service('s1', { memoryBytes: 4 * 2 ** 30, constraints: ['node.hostname!=nope'] });
    const nodes = [node('n1', { state: 'down' }), node('n2', { availability: 'drain' }), node('n3', { memoryBytes: 2 ** 30 })];
    const { pending } = scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes, services: [s] });
    expect(pending.get('t1')).toBe('no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)');
  });
});

describe('scheduler: resources', () => {
  it('subtracts the reservations of tasks already on a node and of the batch', () => {
    const s = service('s1', { replicas: 3, nanoCPUs: 0.6e9 });
    const nodes = [node('n1', { nanoCPUs: 1e9 }), node('n2', { nanoCPUs: 1e9 })];
    const tasks = [1, 2, 3].map((slot) => pendingTask(s, `t${slot}`, slot));
    const { assign, pending } = scheduleTasks({ tasks, nodes, services: [s] });
    expect(placements(assign)).toEqual({ t1: 'n1', t2: 'n2' });
    expect(pending.get('t3')).toBe('no suitable node (insufficient resources on 2 nodes)');
  });

  it('counts running tasks of other services, and frees what stopped tasks held', () => {
    const big = service('big', { memoryBytes: 6 * 2 ** 30 });
    const s = service('s1', { memoryBytes: 4 * 2 ** 30 });
    const nodes = [node('n1'), node('n2')];
    const running = task(big, { id: 'b1', nodeId: 'n1' });
    const stopped = task(big, { id: 'b2', slot: 2, nodeId: 'n2', state: 'shutdown', desired: 'shutdown' });
    const { assign } = scheduleTasks({ tasks: [running, stopped, pendingTask(s, 't1')], nodes, services: [s, big] });
    expect(assign.get('t1')).toBe('n2');
  });
});

describe('scheduler: max replicas per node', () => {
  it('stops at the limit and explains the rest', () => {
    const s = service('s1', { replicas: 3, maxReplicas: 1 });
    const tasks = [1, 2, 3].map((slot) => pendingTask(s, `t${slot}`, slot));
    const { assign, pending } = scheduleTasks({ tasks, nodes: [node('n1'), node('n2')], services: [s] });
    expect(placements(assign)).toEqual({ t1: 'n1', t2: 'n2' });
    expect(pending.get('t3')).toBe('no suitable node (max replicas per node limit exceed)');
  });

  it('lists unavailable nodes next to the limit when a lone task is retried', () => {
    const s = service('s1', { replicas: 5, maxReplicas: 2 });
    const nodes = [node('m1', { availability: 'drain' }), node('m2', { availability: 'drain' }), node('m3', { availability: 'drain' }), node('w1'), node('w2')];
    const tasks = [
      task(s, { id: 'a', slot: 1, nodeId: 'w1' }),
      task(s, { id: 'b', slot: 2, nodeId: 'w1' }),
      task(s, { id: 'c', slot: 3, nodeId: 'w2' }),
      task(s, { id: 'd', slot: 4, nodeId: 'w2' }),
      pendingTask(s, 'e', 5),
    ];
    const { pending } = scheduleTasks({ tasks, nodes, services: [s] });
    expect(pending.get('e')).toBe('no suitable node (3 nodes not available for new tasks; max replicas per node limit exceed)');
  });
});

describe('scheduler: placement preferences', () => {
  it('splits tasks evenly over label values before spreading over nodes', () => {
    const s = service('s1', { replicas: 4, preferences: ['node.labels.zone'] });
    const nodes = [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'b' } }), node('n3', { labels: { zone: 'b' } })];
    const tasks = [1, 2, 3, 4].map((slot) => pendingTask(s, `t${slot}`, slot));
    const { assign } = scheduleTasks({ tasks, nodes, services: [s] });
    const count = (n: string) => [...assign.values()].filter((v) => v === n).length;
    expect([count('n1'), count('n2'), count('n3')]).toEqual([2, 1, 1]);
  });

  it('treats a missing label as its own value and accounts for tasks already placed', () => {
    const s = service('s1', { replicas: 3, preferences: ['NODE.LABELS.rack'] });
    const nodes = [node('n1', { labels: { rack: 'r1' } }), node('n2', { labels: { rack: 'r1' } }), node('n3')];
    const tasks = [task(s, { id: 'a', slot: 1, nodeId: 'n1' }), pendingTask(s, 'b', 2), pendingTask(s, 'c', 3)];
    const { assign } = scheduleTasks({ tasks, nodes, services: [s] });
    // Three tasks over branch r1 (which has one) and branch "": two and one, either way round.
    const inR1 = 1 + [...assign.values()].filter((n) => n !== 'n3').length;
    const inUnlabelled = [...assign.values()].filter((n) => n === 'n3').length;
    expect(assign.size).toBe(2);
    expect(Math.abs(inR1 - inUnlabelled)).toBe(1);
    expect([...assign.values()]).not.toContain('n1');
  });

  it('spreads over engine labels too', () => {
    const s = service('s1', { replicas: 2, preferences: ['engine.labels.dc'] });
    const nodes = [node('n1', { engineLabels: { dc: 'x' } }), node('n2', { engineLabels: { dc: 'x' } }), node('n3', { engineLabels: { dc: 'y' } })];
    const { assign } = scheduleTasks({ tasks: [pendingTask(s, 't1', 1), pendingTask(s, 't2', 2)], nodes, services: [s] });
    expect(new Set(assign.values()).has('n3')).toBe(true);
  });
});

describe('scheduler: global tasks, host ports, platforms', () => {
  it('confirms a task that comes with its node, or explains why the node cannot take it', () => {
    const g = service('g1', { global: true });
    const ok = task(g, { id: 'ok', nodeId: 'n1', state: 'pending' });
    const blocked = task(g, { id: 'blocked', nodeId: 'n2', state: 'pending' });
    const nodes = [node('n1'), node('n2', { availability: 'pause' })];
    const result = scheduleTasks({ tasks: [ok, blocked], nodes, services: [g] });
    expect(result.assign.get('ok')).toBe('n1');
    expect(result.confirmed.has('ok')).toBe(true);
    expect(result.pending.get('blocked')).toBe('1 node not available for new tasks');
  });

  it('keeps two tasks publishing the same host port off one node', () => {
    const s = service('s1', { replicas: 2, hostPort: 8080 });
    const tasks = [task(s, { id: 'a', slot: 1, nodeId: 'n1' }), pendingTask(s, 'b', 2)];
    expect(scheduleTasks({ tasks, nodes: [node('n1'), node('n2')], services: [s] }).assign.get('b')).toBe('n2');
    expect(scheduleTasks({ tasks, nodes: [node('n1')], services: [s] }).pending.get('b')).toBe('no suitable node (host-mode port already in use on 1 node)');
  });

  it('matches image platforms against node platforms, x86_64 being amd64', () => {
    const s = service('s1', { replicas: 2, platforms: [{ OS: 'linux', Architecture: 'amd64' }] });
    const nodes = [node('arm', { arch: 'aarch64' }), node('x86', { arch: 'x86_64' })];
    const { assign } = scheduleTasks({ tasks: [pendingTask(s, 't1', 1), pendingTask(s, 't2', 2)], nodes, services: [s] });
    expect(new Set(assign.values())).toEqual(new Set(['x86']));
    const armOnly = scheduleTasks({ tasks: [pendingTask(s, 't1')], nodes: [node('arm', { arch: 'aarch64' })], services: [s] });
    expect(armOnly.pending.get('t1')).toBe('no suitable node (unsupported platform on 1 node)');
  });
});
