// The scripts in examples/ run as a user runs them — `swarmlab run examples/X.ts` on a fresh
// 3-manager, 2-worker cluster — and finish with exit status 0, saying what they saw; the cluster
// they ran on leaves no process behind.

import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupHome, cliProcess, gone, recordedPids, tempHome } from './helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const home = tempHome();

afterAll(() => cleanupHome(home), 60_000);

async function runExample(name: string): Promise<string> {
  const r = await cliProcess(home, ['run', `${EXAMPLES}${name}.ts`, '--managers', '3', '--workers', '2'], 90_000);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(recordedPids(home, `run-${name}`).every(gone)).toBe(true);
  return r.stdout;
}

describe('examples', () => {
  it('isolate-leader: the majority elects a new leader, the old one steps down, heal brings it back', async () => {
    const out = await runExample('isolate-leader');
    const [, old] = /leader is (manager\d); isolating it/.exec(out)!;
    const [, next] = /the majority elected (manager\d)/.exec(out)!;
    expect(next).not.toBe(old);
    expect(out).toContain(`${old} stepped down`);
    expect(out).toContain(`${next} sees ${old} as unreachable`);
    expect(out).toMatch(/healed: every node Ready/);
  }, 90_000);

  it('quorum-loss: control calls fail without a majority, and --force-new-cluster recovers with the state', async () => {
    const out = await runExample('quorum-loss');
    expect(out).toContain('quorum lost: DockerApiError');
    expect(out).toContain('The swarm does not have a leader');
    expect(out).toMatch(/docker swarm init --force-new-cluster on manager\d/);
    expect(out).toMatch(/recovered: manager\d is the only manager, and the label is still there/);
  }, 90_000);

  it('crash-workers: each killed worker turns Down, its tasks move to the nodes left, and it comes back Ready', async () => {
    const out = await runExample('crash-workers');
    expect(out).toContain('crash-workers-web: 5 tasks running on manager1, manager2, manager3, worker1, worker2');
    const [, movedFrom1] = /killed worker1: the leader sees it Down; its tasks moved to (.+)/.exec(out)!;
    expect(movedFrom1.split(', ').every((host) => host !== 'worker1')).toBe(true);
    const [, movedFrom2] = /killed worker2: the leader sees it Down; its tasks moved to (.+)/.exec(out)!;
    expect(movedFrom2.split(', ').every((host) => /^manager\d$/.test(host))).toBe(true);
    for (const w of ['worker1', 'worker2']) expect(out).toContain(`started ${w}: Ready again`);
    expect(out).toContain('crash-workers-web: 5 of 5 tasks running');
  }, 90_000);

  it('routing-mesh: every node answers on the published port; a blocked link cuts the connections handed across it, heal restores them', async () => {
    const out = await runExample('routing-mesh');
    expect(out).toContain('routing-mesh-web: tasks on worker1, worker2, published on port 8080');
    for (const n of ['manager1', 'manager2', 'manager3', 'worker1', 'worker2']) {
      expect(out).toContain(`${n}:8080: 4 of 4 connections answered, by the tasks on worker1, worker2`);
    }
    const [, through, cut, other] = /blocked (manager\d) <-> (worker\d): through manager\d:8080, 2 of 4 connections answered, by the task on (worker\d)/.exec(out)!;
    expect(other).not.toBe(cut);
    expect(out).toMatch(/meanwhile through manager\d:8080: 4 of 4 connections answered, by the tasks on worker1, worker2/);
    expect(out).toContain(`healed: through ${through}:8080, 4 of 4 connections answered, by the tasks on worker1, worker2`);
  }, 90_000);
});
