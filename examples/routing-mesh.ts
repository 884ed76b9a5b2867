// The routing mesh under a network fault. A service publishes port 8080 with one task on each of
// two workers; every node answers on 8080 and hands the connections to the two tasks in turn,
// those on another node over the data path between the two nodes. Block the traffic between a
// manager and one of the workers: through that manager, the connections handed to the worker's
// task go nowhere, the others are answered, while through any other node all are. `heal`, and all
// are answered again. As in Docker, the mesh balances connections, not requests.
//
//   pnpm swarmlab run examples/routing-mesh.ts                  # on a fresh cluster (2 workers)
//   pnpm swarmlab run examples/routing-mesh.ts --cluster NAME   # on a running one with 2 workers or more

import { request } from 'node:http';
import { leaderElected, tasksRunning, type LabApi } from '@swarmlab/launcher';

const SERVICE = 'routing-mesh-web';
const PORT = 8080;
/** Tries per node: each task gets half of them. */
const TRIES = 4;
/** A connection handed to a task behind a cut waits for the data path; we give up sooner. */
const ANSWER_WITHIN_MS = 1000;

/** The hostname of the task that answered one connection to addr:8080 (traefik/whoami says it), or undefined. */
function answeredBy(addr: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: addr, port: PORT, path: '/', agent: false, timeout: ANSWER_WITHIN_MS }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(/Hostname: (\S+)/.exec(body)?.[1]));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

async function tries(addr: string): Promise<(string | undefined)[]> {
  const answers = [];
  for (let i = 0; i < TRIES; i++) answers.push(await answeredBy(addr));
  return answers;
}

export default async function routingMesh(lab: LabApi) {
  const workers = await lab.resolve('workers');
  if (workers.length < 2) throw new Error('this example needs two workers (--workers 2)');
  const leader = await lab.waitFor(leaderElected(lab), 10_000, 'a leader');
  const client = lab.client(leader, 5000);
  const nodes = await lab.list();
  const addr = (name: string) => nodes.find((n) => n.name === name)!.addr;

  await client.serviceRemove(SERVICE).catch(() => undefined);
  await client.serviceCreate({
    Name: SERVICE,
    TaskTemplate: { ContainerSpec: { Image: 'traefik/whoami' }, Placement: { Constraints: ['node.role==worker'] } },
    Mode: { Replicated: { Replicas: 2 } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: PORT }] },
  });
  await lab.waitFor(tasksRunning(lab, SERVICE, 2), 30_000, `2 tasks of ${SERVICE}`);
  const tasks = await client.taskList({ service: [SERVICE], 'desired-state': ['running'] });
  const hostOf = new Map((await client.nodeList()).map((n) => [n.ID, n.Description.Hostname]));
  // whoami answers with its container's hostname: the container ID's first 12 characters.
  const taskHost = new Map(tasks.map((t) => [t.Status.ContainerStatus?.ContainerID?.slice(0, 12), hostOf.get(t.NodeID ?? '')!]));
  const hosts = (answers: (string | undefined)[]) => [...new Set(answers.flatMap((h) => (h ? [taskHost.get(h) ?? h] : [])))].sort().join(', ');
  console.log(`${SERVICE}: tasks on ${[...taskHost.values()].sort().join(', ')}, published on port ${PORT}`);

  for (const n of nodes) {
    const answers = await lab.waitFor(async () => {
      const a = await tries(n.addr);
      return a.every(Boolean) && new Set(a).size === 2 ? a : undefined;
    }, 20_000, `both tasks answering through ${n.name}:${PORT}`);
    console.log(`${n.name}:${PORT}: ${answers.length} of ${TRIES} connections answered, by the tasks on ${hosts(answers)}`);
  }

  // Cut one manager (not the leader, so every worker keeps its session) from one worker.
  const through = nodes.find((n) => n.role === 'manager' && n.name !== leader)!.name;
  const cut = [...taskHost.values()][0]!;
  await lab.block(through, cut);
  const whileCut = await tries(addr(through));
  console.log(
    `blocked ${through} <-> ${cut}: through ${through}:${PORT}, ${whileCut.filter(Boolean).length} of ${TRIES} connections answered, by the task on ${hosts(whileCut)}; the others went to ${cut}'s task, behind the cut`,
  );
  const viaLeader = await tries(addr(leader));
  console.log(`meanwhile through ${leader}:${PORT}: ${viaLeader.filter(Boolean).length} of ${TRIES} connections answered, by the tasks on ${hosts(viaLeader)}`);

  await lab.heal();
  const healed = await lab.waitFor(async () => {
    const a = await tries(addr(through));
    return a.every(Boolean) ? a : undefined;
  }, 20_000, `every connection through ${through} answered again`);
  console.log(`healed: through ${through}:${PORT}, ${healed.length} of ${TRIES} connections answered, by the tasks on ${hosts(healed)}`);
  await client.serviceRemove(SERVICE);
  return { blocked: [through, cut], answeredWhileCut: whileCut.filter(Boolean).length, tries: TRIES };
}
