// Crash the workers one by one (SIGKILL) under a running service and watch the swarm repair it:
// each dead worker misses its dispatcher heartbeats and turns Down in the leader's
// `docker node ls`, and the leader's orchestrator replaces the tasks it ran with new ones on the
// nodes that are left, so the service stays at its replica count. Started again on its state, a
// worker comes back Ready as the same node; as in Docker, running tasks are not moved back to it
// (Swarm does not rebalance).
//
//   pnpm swarmlab run examples/crash-workers.ts --workers 3      # on a fresh cluster of that size
//   pnpm swarmlab run examples/crash-workers.ts --cluster NAME   # on a running one

import { leaderElected, nodeStatus, tasksRunning, type LabApi } from '@swarmlab/launcher';

const SERVICE = 'crash-workers-web';

/** Hostname of the node each running task of the service is on, by task ID. */
async function placement(lab: LabApi): Promise<Map<string, string>> {
  const leader = await lab.waitFor(leaderElected(lab), 10_000, 'a leader');
  const client = lab.client(leader, 3000);
  const hostname = new Map((await client.nodeList()).map((n) => [n.ID, n.Description.Hostname]));
  const tasks = await client.taskList({ service: [SERVICE], 'desired-state': ['running'] });
  return new Map(tasks.filter((t) => t.Status.State === 'running').map((t) => [t.ID, hostname.get(t.NodeID ?? '') ?? '?']));
}

const names = (hosts: Iterable<string>) => [...hosts].sort().join(', ');

export default async function crashWorkers(lab: LabApi) {
  const workers = await lab.resolve('workers');
  if (workers.length === 0) throw new Error('this example needs workers (--workers 2)');
  const leader = await lab.waitFor(leaderElected(lab), 10_000, 'a leader');
  const client = lab.client(leader, 5000);

  // One replica per node: the scheduler spreads them, so every worker runs one.
  const replicas = (await client.nodeList()).length;
  await client.serviceRemove(SERVICE).catch(() => undefined);
  await client.serviceCreate({
    Name: SERVICE,
    TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
    Mode: { Replicated: { Replicas: replicas } },
  });
  await lab.waitFor(tasksRunning(lab, SERVICE, replicas), 30_000, `${replicas} tasks of ${SERVICE} running`);
  let now = await placement(lab);
  console.log(`${SERVICE}: ${replicas} tasks running on ${names(now.values())}`);

  const moves: { worker: string; movedTo: string[] }[] = [];
  for (const w of workers) {
    await lab.kill(w);
    const before = now;
    await lab.waitFor(nodeStatus(lab, w, 'down'), 30_000, `${w} to turn Down`);
    await lab.waitFor(tasksRunning(lab, SERVICE, replicas), 30_000, `the tasks ${w} ran to run elsewhere`);
    now = await placement(lab);
    const movedTo = [...now].filter(([id]) => !before.has(id)).map(([, host]) => host);
    moves.push({ worker: w, movedTo });
    console.log(`killed ${w}: the leader sees it Down; its tasks moved to ${names(movedTo)}`);
  }

  await lab.start(workers.join(','));
  for (const w of workers) await lab.waitFor(nodeStatus(lab, w, 'ready'), 30_000, `${w} to be Ready again`);
  now = await placement(lab);
  for (const w of workers) {
    const kept = [...now.values()].filter((host) => host === w).length;
    console.log(`started ${w}: Ready again, running ${kept} of the service's tasks (Swarm does not move tasks back)`);
  }
  console.log(`${SERVICE}: ${now.size} of ${replicas} tasks running`);
  await client.serviceRemove(SERVICE);
  return { crashed: workers, moves };
}
