// Services through the real docker CLI (when installed) and the API: tasks scheduled, started
// as emulated containers, spread over nodes; scale; constraints that fit nowhere stay pending
// with Docker's message; a worker killed → its tasks replaced; nginx answers on its socket;
// a task reads its secret file.

import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import type { Task } from '@swarmlab/api';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ name: 'services', managers: 1, workers: 3 });
}, 60_000);
afterAll(stopAllLabs, 60_000);

async function running(service: string): Promise<Task[]> {
  const tasks = await lab.client('manager1').taskList({ service: [service], 'desired-state': ['running'] });
  return tasks.filter((t) => t.Status.State === 'running');
}

function httpGetBytes(host: string, port: number, path = '/'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A connection of its own each time: the routing mesh balances connections, not requests.
    const req = request({ host, port, path, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    req.end();
  });
}

const httpGet = async (host: string, port: number, path = '/') => (await httpGetBytes(host, port, path)).toString();

/** POST with a JSON body; the status and the raw answer. */
function httpPost(host: string, path: string, body: unknown): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: 2375, path, method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A request without a body; the status. */
function httpRequest(host: string, method: string, path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: 2375, path, method, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Docker's multiplexed stream, demultiplexed. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let o = 0; o + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(o + 4);
    out[buf[o] === 2 ? 'stderr' : 'stdout'] += buf.subarray(o + 8, o + 8 + len).toString();
    o += 8 + len;
  }
  return out;
}

describe('services', () => {
  it('runs replicas spread over the nodes and scales them', async () => {
    const m1 = lab.node('manager1').spec.addr;
    const api = lab.client('manager1');
    const cli = await docker(m1, ['service', 'create', '-d', '--name', 'web', '--replicas', '4', 'nginx:alpine']);
    if (!cli) await api.serviceCreate({ Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } }, Mode: { Replicated: { Replicas: 4 } } });
    const tasks = await lab.waitFor(async () => ((await running('web')).length === 4 ? running('web') : undefined), 20_000, '4 running tasks');
    expect(new Set(tasks.map((t) => t.Slot))).toEqual(new Set([1, 2, 3, 4]));
    // Spread: 4 tasks on 4 nodes (the manager takes tasks too).
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(4);
    const ls = await docker(m1, ['service', 'ls']);
    if (ls) expect(ls.stdout).toMatch(/web\s+replicated\s+4\/4\s+nginx:alpine/);

    const svc = await api.serviceInspect('web');
    await api.serviceUpdate(svc.ID, svc.Version.Index, { ...svc.Spec, Mode: { Replicated: { Replicas: 2 } } });
    await lab.waitFor(async () => (await running('web')).length === 2, 20_000, 'scale down to 2');
    const left = await running('web');
    expect(new Set(left.map((t) => t.Slot))).toEqual(new Set([1, 2]));
  }, 90_000);

  it('keeps a task that fits no node pending with Docker\'s message', async () => {
    const api = lab.client('manager1');
    await api.serviceCreate({
      Name: 'nowhere',
      TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Placement: { Constraints: ['node.labels.zone==mars'] } },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const task = await lab.waitFor(async () => {
      const [t] = await api.taskList({ service: ['nowhere'] });
      return t?.Status.Err ? t : undefined;
    }, 10_000, 'the pending message');
    expect(task.Status.State).toBe('pending');
    expect(task.Status.Err).toMatch(/^no suitable node \(scheduling constraints not satisfied on 4 nodes\)$/);
  }, 30_000);

  it('serves HTTP from an nginx container and hands a secret to a busybox task', async () => {
    const api = lab.client('manager1');
    const [web] = await running('web');
    const statuses = await Promise.all([...lab.nodes.keys()].map((n) => lab.status(n)));
    const container = statuses
      .flatMap((s) => (s.containers as { taskId: string; address: string; hostname: string }[]) ?? [])
      .find((c) => c.taskId === web.ID)!;
    expect(container).toBeDefined();
    expect(await httpGet(container.address, 80)).toContain(container.hostname);

    const secret = await api.secretCreate({ Name: 'pw', Data: Buffer.from('hunter2').toString('base64') });
    await api.serviceCreate({
      Name: 'reader',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'busybox',
          Command: ['sh', '-c', 'cat /run/secrets/pw; sleep 3600'],
          Secrets: [{ SecretID: secret.ID, SecretName: 'pw', File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o400 } }],
        },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    await lab.waitFor(async () => (await running('reader')).length === 1, 20_000, 'the reader task');
    // A secret a service references cannot be removed (SwarmKit's RemoveSecret).
    await expect(api.secretRemove('pw')).rejects.toThrow("secret 'pw' is in use by the following service: reader");
    expect((await api.secretInspect('pw')).ID).toBe(secret.ID);
  }, 60_000);

  it('runs a global service on every node and rolls a failing update back', async () => {
    const api = lab.client('manager1');
    await api.serviceCreate({ Name: 'agent', TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '3600'] } }, Mode: { Global: {} } });
    const nodes = await api.nodeList();
    const global = await lab.waitFor(async () => ((await running('agent')).length === nodes.length ? running('agent') : undefined), 20_000, 'one task per node');
    expect(new Set(global.map((t) => t.NodeID)).size).toBe(nodes.length);

    await api.serviceCreate({
      Name: 'app',
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '3600'] } },
      Mode: { Replicated: { Replicas: 4 } },
      UpdateConfig: { Parallelism: 2, FailureAction: 'rollback', Monitor: 1_000_000_000 },
    });
    await lab.waitFor(async () => (await running('app')).length === 4, 20_000, '4 app tasks');
    const svc = await api.serviceInspect('app');
    const spec = structuredClone(svc.Spec);
    spec.TaskTemplate.ContainerSpec!.Args = ['sh', '-c', 'exit 1'];
    await api.serviceUpdate(svc.ID, svc.Version.Index, spec);
    const done = await lab.waitFor(async () => {
      const s = await api.serviceInspect('app');
      return s.UpdateStatus?.State === 'rollback_completed' ? s : undefined;
    }, 30_000, 'the rollback to complete');
    expect(done.Spec.TaskTemplate.ContainerSpec!.Args).toEqual(['sleep', '3600']);
    expect(done.UpdateStatus!.Message).toBe('rollback completed');
    const failed = (await api.taskList({ service: ['app'] })).filter((t) => t.Status.Err === 'task: non-zero exit (1)');
    expect(failed.length).toBeGreaterThan(0);
    await lab.waitFor(async () => (await running('app')).length === 4, 20_000, '4 app tasks after the rollback');
  }, 90_000);

  it('publishes mode=host ports on the node that runs the task', async () => {
    const api = lab.client('manager1');
    await api.serviceCreate({
      Name: 'edge',
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, Placement: { Constraints: ['node.hostname==worker1'] } },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 18080, PublishMode: 'host' }] },
    });
    const [task] = await lab.waitFor(async () => {
      const r = await running('edge');
      return r.length === 1 ? r : undefined;
    }, 20_000, 'the edge task');
    // As docker-proxy reports it: bound on 0.0.0.0 and on [::].
    expect(task.Status.PortStatus?.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 18080, PublishMode: 'host' },
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 18080, PublishMode: 'host' },
    ]);
    const worker1 = lab.node('worker1').spec.addr;
    expect(await httpGet(worker1, 18080)).toMatch(/nginx|Welcome/i);
    // docker ps on the node lists the binding as the real one does.
    const containers = JSON.parse(await httpGet(worker1, 2375, '/containers/json')) as { Id: string; Ports: unknown[] }[];
    expect(containers.find((c) => c.Id === task.Status.ContainerStatus!.ContainerID)!.Ports).toEqual([
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 18080, Type: 'tcp' },
      { IP: '::', PrivatePort: 80, PublicPort: 18080, Type: 'tcp' },
    ]);
    const ps = await docker(lab.node('manager1').spec.addr, ['service', 'ps', 'edge', '--format', '{{.Ports}}']);
    if (ps) expect(ps.stdout.trim()).toBe('*:18080->80/tcp,*:18080->80/tcp');
    await api.serviceRemove('edge');
    // The port is released with the task.
    await lab.waitFor(async () => httpGet(worker1, 18080).then(() => false, () => true), 20_000, 'port 18080 released');
  }, 60_000);

  it('routes a published port on every node to the service\'s tasks, in turn (routing mesh)', async () => {
    const api = lab.client('manager1');
    const m1 = lab.node('manager1').spec.addr;
    const cli = await docker(m1, ['service', 'create', '-d', '--name', 'who', '--replicas', '2', '--constraint', 'node.role==worker', '-p', '8080:80', 'traefik/whoami']);
    if (!cli) {
      await api.serviceCreate({
        Name: 'who',
        TaskTemplate: { ContainerSpec: { Image: 'traefik/whoami' }, Placement: { Constraints: ['node.role==worker'] } },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] },
      });
    }
    const tasks = await lab.waitFor(async () => ((await running('who')).length === 2 ? running('who') : undefined), 20_000, '2 running whoami tasks');
    const hostnames = new Set(tasks.map((t) => t.Status.ContainerStatus!.ContainerID!.slice(0, 12)));
    const answeredBy = async (addr: string) => (/Hostname: (\S+)/.exec(await httpGet(addr, 8080)) ?? [])[1];
    // Every node answers, the manager and the worker without a task included, and spreads the
    // connections over both tasks, wherever they run.
    for (const name of ['manager1', 'worker1', 'worker2', 'worker3']) {
      const addr = lab.node(name).spec.addr;
      const seen = await lab.waitFor(async () => {
        const got = new Set<string | undefined>();
        for (let i = 0; i < 4; i++) got.add(await answeredBy(addr).catch(() => undefined));
        return got.size === 2 && !got.has(undefined) ? got : undefined;
      }, 20_000, `both tasks answering through ${name}:8080`);
      expect(seen).toEqual(hostnames);
    }
    // Unpublished: no node listens any more.
    const svc = await api.serviceInspect('who');
    await api.serviceUpdate(svc.ID, svc.Version.Index, { ...svc.Spec, EndpointSpec: { Mode: 'vip' } });
    for (const name of ['manager1', 'worker1']) {
      await lab.waitFor(async () => httpGet(lab.node(name).spec.addr, 8080).then(() => false, () => true), 20_000, `port 8080 closed on ${name}`);
    }
    await api.serviceRemove('who');
  }, 90_000);

  it('lets containers on an overlay network find a service by name and reach its tasks through its VIP', async () => {
    const api = lab.client('manager1');
    const net = await api.networkCreate({ Name: 'front', Driver: 'overlay' });
    await api.serviceCreate({
      Name: 'api',
      TaskTemplate: { ContainerSpec: { Image: 'traefik/whoami' }, Networks: [{ Target: net.Id }] },
      Mode: { Replicated: { Replicas: 2 } },
    });
    const tasks = await lab.waitFor(async () => ((await running('api')).length === 2 ? running('api') : undefined), 20_000, '2 running api tasks');
    const hostnames = new Set(tasks.map((t) => t.Status.ContainerStatus!.ContainerID!.slice(0, 12)));
    // The client retries until the service records reach its node, then asks four times.
    const script = [
      'until wget -qO- http://api >/dev/null; do sleep 0.1; done',
      'for i in 1 2 3 4; do wget -qO- http://api | grep Hostname; done',
      'wget -qO- http://tasks.api | grep -c Hostname',
      'wget -qO- http://8.8.8.8',
      'sleep 1d',
    ].join('; ');
    await api.serviceCreate({
      Name: 'client',
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Command: ['sh', '-c', script] }, Networks: [{ Target: net.Id }], Placement: { Constraints: ['node.hostname==manager1'] } },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const [client] = await lab.waitFor(async () => ((await running('client')).length === 1 ? running('client') : undefined), 20_000, 'the client task');
    const logs = await lab.waitFor(async () => {
      const text = await httpGet(lab.node('manager1').spec.addr, 2375, `/tasks/${client.ID}/logs?stdout=1&stderr=1`);
      return text.includes('Network is unreachable') ? text : undefined;
    }, 20_000, "the client's answers");
    // Both tasks answered through the VIP (the client runs on the manager, the tasks elsewhere or not).
    expect(new Set([...logs.matchAll(/Hostname: (\S+)/g)].map((m) => m[1]))).toEqual(hostnames);
    // Nothing outside the swarm is reachable from a container.
    expect(logs).toContain("wget: can't connect to remote host (8.8.8.8): Network is unreachable");
    // docker inspect shows the container's address on the overlay.
    const inspected = JSON.parse(await httpGet(lab.node('manager1').spec.addr, 2375, `/containers/${client.Status.ContainerStatus!.ContainerID}/json`)) as {
      NetworkSettings: { Networks: Record<string, { IPAddress: string; NetworkID: string }> };
    };
    const attachment = client.NetworksAttachments!.find((a) => a.Network.ID === net.Id)!;
    expect(inspected.NetworkSettings.Networks.front).toMatchObject({ NetworkID: net.Id, IPAddress: attachment.Addresses[0]!.split('/')[0] });
    await api.serviceRemove('client');
    await api.serviceRemove('api');
  }, 90_000);

  it('shows a node its own task containers and runs commands in them (docker ps, docker exec)', async () => {
    const api = lab.client('manager1');
    await api.serviceCreate({
      Name: 'shell',
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sh', '-c', 'echo started; sleep 1d'] }, Placement: { Constraints: ['node.hostname==worker1'] } },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const [task] = await lab.waitFor(async () => ((await running('shell')).length === 1 ? running('shell') : undefined), 20_000, 'the shell task');
    const w1 = lab.node('worker1').spec.addr;
    type Summary = { Id: string; Names: string[]; State: string; Labels: Record<string, string> };
    const mine = (JSON.parse(await httpGet(w1, 2375, '/containers/json')) as Summary[]).find((c) => c.Labels['com.docker.swarm.task.id'] === task.ID);
    expect(mine).toMatchObject({ Id: task.Status.ContainerStatus!.ContainerID, Names: [`/shell.1.${task.ID}`], State: 'running' });
    const onManager = JSON.parse(await httpGet(lab.node('manager1').spec.addr, 2375, '/containers/json')) as Summary[];
    expect(onManager.some((c) => c.Id === mine!.Id)).toBe(false);
    expect(demux(await httpGetBytes(w1, 2375, `/containers/${mine!.Id}/logs?stdout=1&stderr=1`))).toEqual({ stdout: 'started\n', stderr: '' });

    // Through the API, the output in the answer's body.
    const created = await httpPost(w1, `/containers/${mine!.Id.slice(0, 12)}/exec`, { Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], AttachStdout: true, AttachStderr: true });
    expect(created.status).toBe(201);
    const execId = (JSON.parse(created.body.toString()) as { Id: string }).Id;
    const started = await httpPost(w1, `/exec/${execId}/start`, { Detach: false, Tty: false });
    expect(demux(started.body)).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    expect(JSON.parse(await httpGet(w1, 2375, `/exec/${execId}/json`))).toMatchObject({ ExitCode: 3, Running: false, ContainerID: mine!.Id });

    // Through the docker CLI, which attaches (Upgrade: tcp) and sends stdin.
    const env = { ...process.env, DOCKER_HOST: `tcp://${w1}:2375` };
    const cli = spawnSync('docker', ['exec', '-i', `shell.1.${task.ID}`, 'sh', '-c', 'cat; echo done >&2; exit 4'], { input: 'piped\n', env, encoding: 'utf8', timeout: 30_000 });
    if (!cli.error) {
      expect({ stdout: cli.stdout, stderr: cli.stderr, status: cli.status }).toEqual({ stdout: 'piped\n', stderr: 'done\n', status: 4 });
      const ps = spawnSync('docker', ['ps', '--format', '{{.Names}} {{.Status}}'], { env, encoding: 'utf8' });
      expect(ps.stdout).toMatch(new RegExp(`^shell\\.1\\.${task.ID} Up `, 'm'));
      const missing = spawnSync('docker', ['exec', 'nope', 'true'], { env, encoding: 'utf8' });
      expect(missing.stderr).toContain('No such container: nope');
      expect(missing.status).toBe(1);
    }

    // docker top and docker images: the container's process, and the image pulled for it on this node only.
    const topped = JSON.parse(await httpGet(w1, 2375, `/containers/${mine!.Id}/top`)) as { Titles: string[]; Processes: string[][] };
    expect(topped.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(topped.Processes).toEqual([['root', expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/), '0', expect.stringMatching(/^\d\d:\d\d$/), '?', '00:00:00', 'sh -c echo started; sleep 1d']]);
    type Image = { Id: string; RepoTags: string[]; Size: number };
    const images = JSON.parse(await httpGet(w1, 2375, '/images/json')) as Image[];
    const busybox = images.find((i) => i.RepoTags.includes('busybox:latest'));
    expect(busybox).toMatchObject({ Id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), Size: expect.any(Number) });
    expect(busybox!.Size).toBeGreaterThan(0);
    const inspected = JSON.parse(await httpGet(w1, 2375, `/images/${busybox!.Id.slice(7, 19)}/json`)) as { Id: string; Config: { Cmd: string[] } };
    expect(inspected).toMatchObject({ Id: busybox!.Id, Config: { Cmd: ['sh'] } });
    expect(JSON.parse(await httpGet(w1, 2375, `/containers/${mine!.Id}/json`))).toMatchObject({ Image: busybox!.Id });
    const byReference = async (reference: string) =>
      (JSON.parse(await httpGet(w1, 2375, `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: [reference] }))}`)) as Image[]).map((i) => i.RepoTags[0]);
    expect(await byReference('busy*')).toEqual(['busybox:latest']);
    expect(await byReference('nomatch')).toEqual([]);
    expect((await httpRequest(w1, 'GET', '/images/nginx:nope/json')).status).toBe(404);
    // docker info counts them.
    const info = JSON.parse(await httpGet(w1, 2375, '/info')) as { Containers: number; ContainersRunning: number; ContainersStopped: number; Images: number };
    expect(info.ContainersRunning).toBeGreaterThanOrEqual(1);
    expect(info.Containers).toBe(info.ContainersRunning + info.ContainersStopped);
    expect(info.Images).toBe(images.length);
    // docker pull: a new image on this node, then the same again.
    const pulled = await httpPost(w1, '/images/create?fromImage=redis&tag=7-alpine', {});
    expect(pulled.status).toBe(200);
    expect(pulled.body.toString()).toBe('{"status":"Pulling from library/redis","id":"7-alpine"}\n{"status":"Status: Downloaded newer image for redis:7-alpine"}\n');
    expect((await httpPost(w1, '/images/create?fromImage=redis&tag=7-alpine', {})).body.toString()).toContain('Status: Image is up to date for redis:7-alpine');
    expect((JSON.parse(await httpGet(w1, 2375, '/images/json')) as Image[]).some((i) => i.RepoTags.includes('redis:7-alpine'))).toBe(true);
    // docker rmi of an image a running container uses is refused, even with force.
    expect((await httpRequest(w1, 'DELETE', '/images/busybox?force=1')).status).toBe(409);

    // Removing a running container takes force; killing it fails its task, and Swarm replaces it.
    const refused = await httpRequest(w1, 'DELETE', `/containers/${mine!.Id}`);
    expect(refused.status).toBe(409);
    expect((await httpRequest(w1, 'POST', `/containers/${mine!.Id}/kill`)).status).toBe(204);
    const replacement = await lab.waitFor(async () => {
      const [t] = await running('shell');
      return t && t.ID !== task.ID ? t : undefined;
    }, 20_000, 'a replacement task');
    expect(replacement.Slot).toBe(1);
    const killed = (await api.taskList({ service: ['shell'] })).find((t) => t.ID === task.ID)!;
    expect(killed.Status).toMatchObject({ State: 'failed', Err: 'task: non-zero exit (137)' });
    await api.serviceRemove('shell');
  }, 60_000);

  it('holds a task at STARTING until its health check passes, and fails it as unhealthy when the check fails', async () => {
    const api = lab.client('manager1');
    const second = 1e9;
    await api.serviceCreate({
      Name: 'healthy',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'busybox',
          Args: ['httpd', '-f', '-p', '80', '-h', '/etc'],
          Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost/hostname'], Interval: second, Retries: 2 },
        },
        Placement: { Constraints: ['node.hostname==worker2'] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    await api.serviceCreate({
      Name: 'sick',
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox', Args: ['sleep', '1d'], Healthcheck: { Test: ['CMD', 'false'], Interval: second, Retries: 2 } },
        RestartPolicy: { Condition: 'none' },
        Placement: { Constraints: ['node.hostname==worker2'] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const [ok] = await lab.waitFor(async () => ((await running('healthy')).length === 1 ? running('healthy') : undefined), 20_000, 'the healthy task running');
    const failed = await lab.waitFor(async () => {
      const [t] = await api.taskList({ service: ['sick'] });
      return t?.Status.State === 'failed' ? t : undefined;
    }, 20_000, 'the sick task failed');
    // SwarmKit's words; it never ran: it failed while STARTING.
    expect(failed.Status).toMatchObject({ Err: 'dockerexec: unhealthy container', Message: 'starting' });
    const w2 = lab.node('worker2').spec.addr;
    const inspected = JSON.parse(await httpGet(w2, 2375, `/containers/${ok.Status.ContainerStatus!.ContainerID}/json`)) as { State: { Health: { Status: string; Log: { ExitCode: number }[] } } };
    expect(inspected.State.Health.Status).toBe('healthy');
    expect(inspected.State.Health.Log.at(-1)!.ExitCode).toBe(0);
    const ps = JSON.parse(await httpGet(w2, 2375, '/containers/json')) as { Id: string; Status: string }[];
    expect(ps.find((c) => c.Id === ok.Status.ContainerStatus!.ContainerID)!.Status).toMatch(/^Up .* \(healthy\)$/);
    await api.serviceRemove('healthy');
    await api.serviceRemove('sick');
  }, 60_000);

  it("keeps a volume's data on its node for the task that replaces a killed one (docker volume ls)", async () => {
    const api = lab.client('manager1');
    await api.serviceCreate({
      Name: 'counter',
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox', Args: ['sh', '-c', 'echo run >> /data/runs; wc -l < /data/runs; sleep 1d'], Mounts: [{ Type: 'volume', Source: 'counter-data', Target: '/data' }] },
        Placement: { Constraints: ['node.hostname==worker1'] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const [first] = await lab.waitFor(async () => ((await running('counter')).length === 1 ? running('counter') : undefined), 20_000, 'the counter task');
    const w1 = lab.node('worker1').spec.addr;
    const id = first.Status.ContainerStatus!.ContainerID!;
    const volumes = JSON.parse(await httpGet(w1, 2375, '/volumes')) as { Volumes: { Name: string; Mountpoint: string }[] };
    expect(volumes.Volumes).toContainEqual(expect.objectContaining({ Name: 'counter-data', Mountpoint: '/var/lib/docker/volumes/counter-data/_data' }));
    expect(JSON.parse(await httpGet(w1, 2375, `/containers/${id}/json`))).toMatchObject({ Mounts: [{ Type: 'volume', Name: 'counter-data', Destination: '/data', RW: true }] });
    expect((await httpRequest(w1, 'DELETE', '/volumes/counter-data')).status).toBe(409);
    expect((await httpRequest(w1, 'POST', `/containers/${id}/kill`)).status).toBe(204);
    const second = await lab.waitFor(async () => {
      const [t] = await running('counter');
      return t && t.ID !== first.ID ? t : undefined;
    }, 20_000, 'the replacement task');
    const logs = await lab.waitFor(async () => {
      const text = demux(await httpGetBytes(w1, 2375, `/containers/${second.Status.ContainerStatus!.ContainerID}/logs?stdout=1`)).stdout;
      return text ? text : undefined;
    }, 10_000, 'the replacement\'s output');
    expect(logs).toBe('2\n');
    // docker system df counts the volume's bytes (two lines of "run") and the container using it.
    type Df = { Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[]; Images: { RepoTags: string[]; Containers: number }[]; Containers: { Id: string; SizeRw: number }[] };
    const df = JSON.parse(await httpGet(w1, 2375, '/system/df')) as Df;
    expect(df.Volumes.find((v) => v.Name === 'counter-data')!.UsageData).toEqual({ Size: 8, RefCount: 2 });
    expect(df.Images.find((i) => i.RepoTags.includes('busybox:latest'))!.Containers).toBeGreaterThanOrEqual(2);
    expect(df.Containers.find((c) => c.Id === second.Status.ContainerStatus!.ContainerID)!.SizeRw).toBeGreaterThan(0);
    // docker events on the node tells it: the container killed, and its replacement started.
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], container: [id] }));
    const lines = (await httpGet(w1, 2375, `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`)).trim().split('\n');
    const actions = lines.map((l) => (JSON.parse(l) as { Action: string; scope: string }).Action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'kill', 'die']));
    expect(JSON.parse(lines.find((l) => l.includes('"die"'))!)).toMatchObject({ Type: 'container', scope: 'local', Actor: { ID: id, Attributes: { exitCode: '137' } } });
    await api.serviceRemove('counter');
  }, 60_000);

  it('runs jobs to completion: a replicated job MaxConcurrent at a time, a global job once per node, and each update runs them again', async () => {
    const api = lab.client('manager1');
    const created = await api.serviceCreate({
      Name: 'batch',
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sh', '-c', 'echo slot done'] } },
      Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 5 } },
    });
    const completed = async (name: string, iteration: number) =>
      (await api.taskList({ service: [name] })).filter((t) => t.JobIteration?.Index === iteration && t.Status.State === 'complete');
    const firstRun = await lab.waitFor(async () => ((await completed('batch', 0)).length === 5 ? completed('batch', 0) : undefined), 30_000, 'five completions');
    expect(firstRun.map((t) => t.Slot).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(firstRun.every((t) => t.DesiredState === 'complete')).toBe(true);
    const status = (await api.serviceList({ status: true })).find((s) => s.ID === created.ID)!;
    expect(status.ServiceStatus).toEqual({ RunningTasks: 0, DesiredTasks: 2, CompletedTasks: 5 });
    expect(status.JobStatus!.JobIteration.Index).toBe(0);

    const service = await api.serviceInspect('batch');
    await api.serviceUpdate(service.ID, service.Version.Index, { ...service.Spec, TaskTemplate: { ...service.Spec.TaskTemplate, ForceUpdate: 1 } });
    expect((await api.serviceInspect('batch')).JobStatus!.JobIteration.Index).toBe(1);
    await lab.waitFor(async () => ((await completed('batch', 1)).length === 5 ? true : undefined), 30_000, 'the second run');

    await api.serviceCreate({ Name: 'everywhere', TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['true'] } }, Mode: { GlobalJob: {} } });
    const nodes = (await api.nodeList()).filter((n) => n.Status.State === 'ready' && n.Spec.Availability === 'active');
    const onEach = await lab.waitFor(async () => ((await completed('everywhere', 0)).length === nodes.length ? completed('everywhere', 0) : undefined), 30_000, 'a completion per node');
    expect(new Set(onEach.map((t) => t.NodeID)).size).toBe(nodes.length);
    await api.serviceRemove('batch');
    await api.serviceRemove('everywhere');
  }, 90_000);

  it('replaces the tasks of a killed worker elsewhere', async () => {
    const api = lab.client('manager1');
    const nodes = await api.nodeList();
    const before = await running('web');
    const victimId = before.find((t) => nodes.find((n) => n.ID === t.NodeID)?.Description.Hostname.startsWith('worker'))!.NodeID!;
    const victim = nodes.find((n) => n.ID === victimId)!.Description.Hostname;
    await lab.kill(victim);
    const after = await lab.waitFor(async () => {
      const r = await running('web');
      return r.length === 2 && r.every((t) => t.NodeID !== victimId) ? r : undefined;
    }, 30_000, 'the task to be replaced');
    expect(after.every((t) => t.NodeID !== victimId)).toBe(true);
  }, 60_000);
});
