// Crash workers one by one (SIGKILL) and watch the swarm notice: each dead worker misses its
// dispatcher heartbeats and turns Down in the leader's `docker node ls`; started again on its
// state, it comes back Ready as the same node.
//
// Services and tasks do not exist in the emulated node yet, so this watches node status only; a
// later issue adds services, and then this example also watches their tasks move to the workers
// that are left.

import type { LabApi } from '@swarmlab/launcher';

async function statusOf(lab: LabApi, name: string): Promise<string | undefined> {
  const leader = await lab.leader();
  if (!leader) return undefined;
  const node = (await lab.client(leader, 3000).nodeList()).find((n) => n.Description.Hostname === name);
  return node?.Status.State;
}

export default async function crashWorkers(lab: LabApi) {
  const workers = await lab.resolve('workers');
  if (workers.length === 0) throw new Error('this example needs workers (--workers 2)');

  for (const w of workers) {
    await lab.kill(w);
    await lab.waitFor(async () => (await statusOf(lab, w)) === 'down', 20_000, `${w} to turn Down`);
    console.log(`killed ${w}: the leader sees it Down`);
  }

  await lab.start(workers.join(','));
  for (const w of workers) {
    await lab.waitFor(async () => (await statusOf(lab, w)) === 'ready', 20_000, `${w} to be Ready again`);
    console.log(`started ${w}: Ready again`);
  }
  return { crashed: workers };
}
