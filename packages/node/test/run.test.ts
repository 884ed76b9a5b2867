// docker run on a swarm node, outside any service: the real CLI's create → (pull) → attach → wait →
// start sequence, output and exit status, --rm, -d with --name and -p, -i stdin, named volumes,
// prune, and the errors for what is not emulated; then `docker run -it IMAGE sh` through the raw
// API the CLI uses, whose attached terminal drives PID 1.

import { spawn, spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { startLab, stopAllLabs } from './helpers/lab.js';

const HAS_DOCKER = spawnSync('docker', ['--version']).status === 0;

let lab: Lab;
let addr: string;

beforeAll(async () => {
  lab = await startLab({ name: 'run', managers: 1, workers: 1 });
  addr = lab.node('worker1').spec.addr;
}, 60_000);
afterAll(stopAllLabs, 60_000);

/** The docker CLI against worker1 (or the node at `at`): its exit status and output. */
function docker(args: string[], stdin = '', at = addr): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `tcp://${at}:2375` } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

const api = (path: string, init: RequestInit = {}) => fetch(`http://${addr}:2375/v1.47${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });

describe.skipIf(!HAS_DOCKER)('docker run (the real CLI)', () => {
  it('prints the output and exits with the command’s status; --rm removes the container, also when it cannot start', async () => {
    // The image is pulled on first use, as the CLI does when create answers "No such image".
    const hello = await docker(['run', '--rm', 'alpine', 'echo', 'hello']);
    expect(hello).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(hello.stderr).toContain("Unable to find image 'alpine:latest' locally");

    const failing = await docker(['run', '--name', 'three', 'alpine', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failing).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(/^three Exited \(3\) /m);
    expect((await docker(['wait', 'three'])).stdout).toBe('3\n');

    const missing = await docker(['run', '--rm', '--name', 'missing', 'alpine', 'nosuchcmd']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    await lab.waitFor(async () => !(await docker(['ps', '-a', '--format', '{{.Names}}'])).stdout.includes('missing'), 10_000, 'the --rm container gone');

    expect((await docker(['container', 'prune', '-f'])).stdout).toContain('Deleted Containers:');
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  }, 60_000);

  it('runs detached with a name and published ports; a taken name is refused in Docker’s words', async () => {
    const run = await docker(['run', '-d', '--name', 'web', '-p', '8089:80', 'nginx:alpine']);
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const id = run.stdout.trim();
    await lab.waitFor(async () => (await fetch(`http://${addr}:8089/`).catch(() => undefined))?.status === 200, 10_000, 'nginx behind -p');
    expect((await docker(['ps', '--format', '{{.Names}} {{.Ports}}'])).stdout).toContain('web 0.0.0.0:8089->80/tcp');
    expect((await docker(['port', 'web'])).stdout).toBe('80/tcp -> 0.0.0.0:8089\n80/tcp -> [::]:8089\n');
    const inspect = JSON.parse((await docker(['inspect', 'web'])).stdout) as { Name: string; HostConfig: { NetworkMode: string }; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }[];
    expect(inspect[0]).toMatchObject({ Name: '/web', HostConfig: { NetworkMode: 'bridge' } });
    expect(inspect[0]!.NetworkSettings.Networks.bridge!.IPAddress).toMatch(/^127\./);

    const taken = await docker(['run', '-d', '--name', 'web', 'nginx:alpine']);
    expect(taken.code).toBe(125);
    expect(taken.stderr).toContain(`Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`);
    expect((await docker(['rm', '-f', 'web'])).code).toBe(0);
    expect(await fetch(`http://${addr}:8089/`).then(() => 'answered', () => 'refused')).toBe('refused');
  }, 60_000);

  it('gives -i its stdin, and keeps named volumes from one container to the next', async () => {
    expect(await docker(['run', '-i', '--rm', 'alpine', 'sh', '-c', 'tr a-z A-Z'], 'piped in\n')).toMatchObject({ code: 0, stdout: 'PIPED IN\n' });
    expect((await docker(['run', '--rm', '-v', 'rundata:/data', 'alpine', 'sh', '-c', 'echo kept > /data/f'])).code).toBe(0);
    expect(await docker(['run', '--rm', '-v', 'rundata:/data:ro', 'alpine', 'cat', '/data/f'])).toMatchObject({ code: 0, stdout: 'kept\n' });
  }, 60_000);

  it('starts a stopped container again, restarts one, and follows --restart policies until docker stop', async () => {
    const inspect = async (name: string) =>
      (JSON.parse((await docker(['inspect', name])).stdout) as { State: { Status: string; ExitCode: number; Restarting: boolean }; RestartCount: number }[])[0]!;
    // docker start: the same container, its files and its log kept.
    expect((await docker(['run', '--name', 'again', 'busybox', 'sh', '-c', 'echo run >> /count; wc -l < /count'])).stdout).toBe('1\n');
    expect((await docker(['start', '-a', 'again'])).code).toBe(0);
    await lab.waitFor(async () => (await inspect('again')).State.Status === 'exited', 10_000, 'the second run to end');
    expect((await docker(['logs', 'again'])).stdout).toBe('1\n2\n');
    // docker restart of a running one.
    await docker(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '1000']);
    expect((await docker(['restart', '-t', '0', 'sleeper'])).code).toBe(0);
    expect((await inspect('sleeper')).State.Status).toBe('running');
    // on-failure:2 restarts a failing command twice, then leaves it exited.
    await docker(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo try; exit 3']);
    await lab.waitFor(async () => (await inspect('flaky')).RestartCount === 2 && (await inspect('flaky')).State.Status === 'exited', 15_000, 'two restarts');
    await new Promise((r) => setTimeout(r, 500));
    expect(await inspect('flaky')).toMatchObject({ RestartCount: 2, State: { Status: 'exited', ExitCode: 3, Restarting: false } });
    expect((await docker(['logs', 'flaky'])).stdout).toBe('try\ntry\ntry\n');
    // always restarts even a clean exit, until docker stop.
    await docker(['run', '-d', '--name', 'looper', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2']);
    await lab.waitFor(async () => (await inspect('looper')).RestartCount >= 2, 15_000, 'restarts of a clean exit');
    expect((await docker(['stop', 'looper'])).code).toBe(0);
    const stopped = (await inspect('looper')).RestartCount;
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inspect('looper')).toMatchObject({ RestartCount: stopped, State: { Status: 'exited', Restarting: false } });
    expect((await docker(['run', '--restart', 'bogus', 'busybox', 'true'])).stderr).toContain("invalid restart policy: unknown policy 'bogus'");
    expect((await docker(['run', '--restart', 'always:3', 'busybox', 'true'])).stderr).toContain("maximum retry count can only be used with 'on-failure'");
    expect((await docker(['rm', '-f', 'again', 'sleeper', 'flaky', 'looper'])).code).toBe(0);
  }, 60_000);

  it('puts a container on an attachable overlay network, where services resolve and answer; others are refused in Docker’s words', async () => {
    const manager = lab.client('manager1');
    await manager.networkCreate({ Name: 'appnet', Driver: 'overlay', Attachable: true });
    await manager.networkCreate({ Name: 'closednet', Driver: 'overlay' });
    await manager.serviceCreate({ Name: 'whoami', TaskTemplate: { ContainerSpec: { Image: 'traefik/whoami' }, Networks: [{ Target: 'appnet' }] }, Mode: { Replicated: { Replicas: 1 } } });
    await lab.waitFor(async () => (await manager.taskList({ service: ['whoami'] })).some((t) => t.Status.State === 'running'), 20_000, 'the whoami task running');

    const probe = await docker(['run', '--rm', '--network', 'appnet', 'busybox', 'sh', '-c', 'hostname -i; wget -qO- http://whoami/']);
    expect(probe.code).toBe(0);
    expect(probe.stdout).toMatch(/^10\.\d+\.\d+\.\d+\nHostname: [0-9a-f]{12}\n/);

    const closed = await docker(['run', '--rm', '--network', 'closednet', 'busybox', 'true']);
    expect(closed.code).toBe(125);
    expect(closed.stderr).toContain('Could not attach to network closednet: rpc error: code = PermissionDenied desc = network closednet not manually attachable');
    expect((await docker(['run', '--rm', '--network', 'nosuch', 'busybox', 'true'])).stderr).toContain('failed to set up container networking: network nosuch not found');

    // A container there answers to its name, from other containers and from the swarm's services on other nodes.
    expect((await docker(['run', '-d', '--name', 'db', '--network', 'appnet', 'nginx:alpine'])).code).toBe(0);
    const fetchDb = async () => (await docker(['run', '--rm', '--network', 'appnet', 'busybox', 'wget', '-qO-', 'http://db/'])).stdout;
    await lab.waitFor(async () => (await fetchDb()).includes('Welcome to nginx'), 10_000, 'db by name from a container');
    await manager.serviceCreate({
      Name: 'caller',
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox', Args: ['sh', '-c', 'until wget -qO- http://db/ | grep -q Welcome; do sleep 0.2; done; echo reached db; sleep 1000'] },
        Networks: [{ Target: 'appnet' }],
        Placement: { Constraints: ['node.role==manager'] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const managerAddr = lab.node('manager1').spec.addr;
    await lab.waitFor(async () => (await docker(['service', 'logs', '--raw', 'caller'], '', managerAddr)).stdout.includes('reached db'), 20_000, 'the service reaching db');
    await manager.serviceRemove('caller');
    expect((await docker(['rm', '-f', 'db'])).code).toBe(0);

    // The network is in use while a container is attached to it, and free once it is removed.
    await docker(['run', '-d', '--name', 'attached', '--network', 'appnet', 'busybox', 'sleep', '1000']);
    expect((await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.appnet.IPAddress}}', 'attached'])).stdout).toMatch(/^appnet 10\.\d+\.\d+\.\d+\n$/);
    await manager.serviceRemove('whoami');
    await expect(manager.networkRemove('appnet')).rejects.toThrow(/is in use by task/);
    expect((await docker(['rm', '-f', 'attached'])).code).toBe(0);
    // A container that dies with its node's process gives its address back when the node returns.
    expect((await docker(['run', '-d', '--name', 'orphan', '--network', 'appnet', 'busybox', 'sleep', '1000'])).code).toBe(0);
    await expect(manager.networkRemove('appnet')).rejects.toThrow(/is in use by task/);
    await lab.kill('worker1');
    await lab.start('worker1');
    await lab.waitFor(async () => manager.networkRemove('appnet').then(() => true, () => false), 15_000, 'appnet removed');
  }, 60_000);

  it('refuses what is not emulated with a clear error and creates nothing', async () => {
    const bind = await docker(['run', '--rm', '-v', '/etc:/host-etc', 'alpine', 'true']);
    expect(bind.code).toBe(125);
    expect(bind.stderr).toContain('bind mounts are not emulated (/etc)');
    expect((await docker(['run', '--rm', '--network', 'host', 'alpine', 'true'])).stderr).toContain('--network host is not emulated');
    expect((await docker(['run', '--name', 'bad name', 'alpine'])).stderr).toContain('Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  }, 60_000);
});

describe('bad create requests', () => {
  it('get dockerd’s 400s and create nothing', async () => {
    expect((await api('/images/create?fromImage=busybox&tag=latest', { method: 'POST' })).status).toBe(200);
    const cases: [unknown, string][] = [
      [{ Image: 'busybox', Cmd: 'echo' }, 'cannot unmarshal string into Go struct field CreateRequest.Cmd of type []string'],
      [{ Image: '' }, 'No image specified'],
      [{ Image: 'busybox', WorkingDir: 'rel' }, "the working directory 'rel' is invalid, it needs to be an absolute path"],
      [{ Image: 'busybox', HostConfig: { Binds: [':'] } }, "invalid volume specification: ':'"],
      [{ Image: 'busybox', HostConfig: { Binds: ['a:b:c:d'] } }, "invalid volume specification: 'a:b:c:d'"],
      [{ Image: 'busybox', HostConfig: { Binds: ['data:relative'] } }, "invalid mount path: 'relative' mount path must be absolute"],
      [{ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'volume' }] } }, 'field Target must not be empty'],
      [{ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'nfs', Target: '/x' }] } }, 'mount type unknown'],
      [{ Image: 'busybox', HostConfig: { PortBindings: { abc: [{ HostPort: '1' }] } } }, 'invalid port specification: "abc"'],
      [{ Image: 'busybox', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'x' }] } } }, 'invalid port specification: "x"'],
      [{ Image: 'busybox', HostConfig: { NetworkMode: 'container:abc' } }, '--network container:abc is not emulated'],
    ];
    for (const [body, message] of cases) {
      const res = await api('/containers/create', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(message);
    }
    expect((await api('/containers/create', { method: 'POST', body: JSON.stringify({ Image: 'nosuch:1' }) })).status).toBe(404);
    expect(await (await api('/containers/json?all=1')).json()).toEqual([]);
    // Concurrent creates of one name: exactly one gets it.
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => api('/containers/create?name=dup', { method: 'POST', body: JSON.stringify({ Image: 'busybox', Cmd: ['true'] }) }).then((r) => r.status)),
    );
    expect(statuses.sort()).toEqual([201, 409, 409, 409, 409]);
    expect((await api('/containers/dup', { method: 'DELETE' })).status).toBe(204);
  });
});

describe('dockerode', () => {
  it('runs a container with docker.run: create, attach (not upgraded), start, wait', async () => {
    const client = new Docker({ host: addr, port: 2375 });
    await new Promise<void>((resolve, reject) => client.pull('busybox:latest', (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : stream.on('end', resolve).resume())));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [result, container] = (await client.run('busybox', ['sh', '-c', 'echo to-out; echo to-err >&2; exit 2'], [stdout, stderr], { Tty: false })) as [{ StatusCode: number }, Docker.Container];
    expect(result.StatusCode).toBe(2);
    expect(out).toBe('to-out\n');
    expect(err).toBe('to-err\n');
    await container.remove();
  }, 30_000);
});

/** Reads from a hijacked connection until `pattern` has arrived. */
function reader(socket: Socket) {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  return {
    text: () => text,
    async until(pattern: RegExp): Promise<void> {
      const end = Date.now() + 10_000;
      while (!pattern.test(text)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

describe('docker run -it IMAGE sh (the CLI’s API calls)', () => {
  it('makes the attached terminal PID 1’s: a prompt, lines run in one shell, and its exit status is the container’s', async () => {
    expect((await api('/images/create?fromImage=busybox&tag=latest', { method: 'POST' })).status).toBe(200);
    const created = await api('/containers/create?name=tty1', {
      method: 'POST',
      body: JSON.stringify({ Image: 'busybox', Cmd: ['sh'], Tty: true, OpenStdin: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, HostConfig: { AutoRemove: false } }),
    });
    expect(created.status).toBe(201);
    const socket = connect(2375, addr);
    const out = reader(socket);
    socket.write(`POST /v1.47/containers/tty1/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: ${addr}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    await out.until(/^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
    const waited = api('/containers/tty1/wait?condition=next-exit', { method: 'POST' }).then((r) => r.json());
    expect((await api('/containers/tty1/start', { method: 'POST' })).status).toBe(204);
    await out.until(/\/ # $/);
    socket.write('X=6; echo $((X*7))\r');
    await out.until(/42\r\n\/ # $/);
    socket.write('cd /tmp\rexit 4\r');
    expect(await waited).toEqual({ Error: null, StatusCode: 4 });
    // The echo of the last line travels on the attach connection, the exit status on another.
    await out.until(/\/tmp # exit 4\r\n/);
    socket.destroy();
    // What the terminal showed is the container's log, as with a real TTY.
    expect(await (await api('/containers/tty1/logs?stdout=1')).text()).toContain('42\r\n');
    expect((await api('/containers/tty1?force=1', { method: 'DELETE' })).status).toBe(204);
  }, 30_000);
});
