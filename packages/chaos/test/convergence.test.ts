// Convergence after heal: one observed snapshot judged, with every difference listed.

import { describe, expect, it } from 'vitest';
import { checkConvergence, type ConvergenceDifference, type ConvergenceSnapshot } from '../src/index.js';

function converged(): ConvergenceSnapshot {
  return {
    managers: [
      { name: 'manager1', appliedIndex: 42, digest: 'abc' },
      { name: 'manager2', appliedIndex: 42, digest: 'abc' },
      { name: 'manager3', appliedIndex: 42, digest: 'abc' },
    ],
    nodes: [
      { name: 'manager1', id: 'n1', status: 'ready', availability: 'active' },
      { name: 'manager2', id: 'n2', status: 'ready', availability: 'active' },
      { name: 'manager3', id: 'n3', status: 'ready', availability: 'drain' },
      { name: 'worker1', id: 'n4', status: 'ready', availability: 'active' },
    ],
    services: [
      { name: 'web', replicas: 2, generation: 3, running: 2 },
      { name: 'agent', running: 4 }, // global
      { name: 'chaos-register-0', replicas: 0, running: 0 },
    ],
    tasks: [
      { id: 't1', node: 'worker1', state: 'running', service: 'web' },
      { id: 't2', node: 'n1', state: 'running', service: 'web' },
      { id: 't3', node: 'manager3', state: 'shutdown', service: 'web' },
    ],
  };
}

const differences = (s: ConvergenceSnapshot) =>
  ((checkConvergence(s).evidence as { differences: ConvergenceDifference[] } | undefined)?.differences ?? []).map((d) => `${d.check}: ${d.subject}`);

describe('checkConvergence', () => {
  it('a converged cluster is valid (a drained node with only stopped tasks is fine)', () => {
    const r = checkConvergence(converged(), [{ name: 'web', replicas: 2, generation: 3 }, { name: 'gone' }], ['flaky']);
    expect(r.verdict).toBe('valid');
    expect(r.summary).toContain('1 service(s) with indeterminate or overlapping operations not judged');
  });

  it('managers that differ: another digest at the same index, a lagging index, or no answer', () => {
    const s = converged();
    s.managers = [
      { name: 'manager1', appliedIndex: 42, digest: 'abc' },
      { name: 'manager2', appliedIndex: 42, digest: 'abc' },
      { name: 'manager3', appliedIndex: 42, digest: 'xyz' },
      { name: 'manager4', appliedIndex: 40, digest: 'old' },
      { name: 'manager5', error: 'connection refused' },
    ];
    const r = checkConvergence(s);
    expect(r.verdict).toBe('invalid');
    const diffs = (r.evidence as { differences: ConvergenceDifference[] }).differences;
    expect(diffs).toEqual([
      { check: 'store', subject: 'manager manager5', expected: 'its store index and digest', found: 'connection refused' },
      { check: 'store', subject: 'manager manager3', expected: 'index 42 digest abc (as manager1, manager2)', found: 'a different store at the same index: digest xyz' },
      { check: 'store', subject: 'manager manager4', expected: 'index 42 digest abc (as manager1, manager2)', found: 'index 40: digest old' },
    ]);
  });

  it('nodes not ready, replicas missing, tasks on drained, Down or unknown nodes', () => {
    const s = converged();
    s.nodes[3].status = 'down';
    s.services[0].running = 1;
    s.tasks.push({ id: 't4', node: 'manager3', state: 'running', service: 'web' }, { id: 't5', node: 'worker1', state: 'running' }, { id: 't6', node: 'ghost', state: 'running' });
    expect(differences(s)).toEqual([
      'node: node worker1',
      'replicas: service web',
      'placement: task t1 of web',
      'placement: task t4 of web',
      'placement: task t5',
      'placement: task t6',
    ]);
  });

  it('services not in the state their last acknowledged operation asked for', () => {
    const r = checkConvergence(converged(), [
      { name: 'web', replicas: 3, generation: 3 },
      { name: 'agent' },
      { name: 'api', replicas: 1 },
    ]);
    expect(r.verdict).toBe('invalid');
    const diffs = (r.evidence as { differences: ConvergenceDifference[] }).differences;
    expect(diffs.map((d) => `${d.subject}: ${d.found}`)).toEqual(['service web: 2 replicas, generation 3', 'service agent: still exists', 'service api: missing']);
  });

  it('a cluster that could not be observed is not converged', () => {
    const r = checkConvergence({ ...converged(), error: 'no leader' });
    expect(r.verdict).toBe('invalid');
    expect(r.summary).toContain('expected a leader answering the API, found no leader');
  });
});
