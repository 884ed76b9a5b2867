// The runtime as the agent uses it: IDs, hostnames (templated), environment and swarm labels as a
// real task container has them, secret and config files, logs (tail/since/follow), stop/kill/
// remove cleanup, unknown images, and no secret contents in any log line.

import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageNotFoundError, TemplateExpansionError, type LogLine } from '../src/agent/exec/index.js';
import { collectLogs, httpGet, portIsFree, useRuntime } from './exec-helpers.js';

const diagnostics: { msg: string; fields?: Record<string, unknown> }[] = [];
const t = useRuntime(134, { log: (_level, msg, fields) => diagnostics.push({ msg, fields }) });
const strict = useRuntime(135, { rejectUnknownImages: true });
/** A clock that jumps: a sleep advances it by the time slept and takes no real time. */
let fakeNow = Date.UTC(2026, 0, 1);
const jumping = useRuntime(136, {
  clock: {
    now: () => fakeNow,
    toReal: (ms) => {
      fakeNow += ms;
      return 0;
    },
  },
});

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

describe('identity', () => {
  it('has a 64-hex ID, the 12-character prefix as hostname, and a pid while running', async () => {
    const c = await t.create('busybox', ['sleep', '1000']);
    expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect(c.hostname).toBe(c.id.slice(0, 12));
    expect(c.status()).toEqual({ id: c.id, state: 'created', exitCode: undefined, pid: 0, startedAt: undefined, finishedAt: undefined, error: undefined });
    await c.start();
    const running = c.status();
    expect(running.state).toBe('running');
    expect(running.pid).toBeGreaterThan(1);
    expect(running.startedAt).toMatch(RFC3339_NANO);
    expect(c.status().pid).toBe(running.pid);
    await c.kill();
    expect(c.status()).toMatchObject({ state: 'exited', exitCode: 137, pid: 0 });
    expect(c.status().finishedAt).toMatch(RFC3339_NANO);
    expect(t.runtime.get(c.id)).toBe(c);
    expect(t.runtime.get(c.id.slice(0, 12))).toBe(c);
  });

  it('carries the swarm labels of a task container and Docker\'s Path/Args', async () => {
    const c = await t.create('busybox:local', ['sleep', '3600'], { labels: { app: 'demo' } });
    expect(c.labels).toEqual({
      app: 'demo',
      'com.docker.swarm.node.id': c.config.nodeId,
      'com.docker.swarm.service.id': c.config.serviceId,
      'com.docker.swarm.service.name': 'web',
      'com.docker.swarm.task': '',
      'com.docker.swarm.task.id': c.config.taskId,
      'com.docker.swarm.task.name': c.config.taskName,
    });
    expect([c.path, ...c.processArgs]).toEqual(['sleep', '3600']);
    const n = await t.create('nginx');
    expect([n.path, ...n.processArgs]).toEqual(['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
    const e = await t.create('nginx', ['echo', 'x'], { command: ['/bin/sh', '-c'] });
    expect([e.path, ...e.processArgs]).toEqual(['/bin/sh', '-c', 'echo', 'x']);
  });

  it('has PATH, HOSTNAME, the spec env and HOME in the process environment; Config.Env has no HOSTNAME', async () => {
    const c = await t.create('busybox', ['env'], { env: ['A=1', 'PATH=/custom/bin'] });
    expect(c.env).toEqual(['PATH=/custom/bin', `HOSTNAME=${c.hostname}`, 'A=1', 'HOME=/root']);
    expect(c.configEnv).toEqual(['PATH=/custom/bin', 'A=1']);
    await c.start();
    await c.wait();
    expect((await collectLogs(c)).map((l) => l.line)).toEqual(['PATH=/custom/bin', `HOSTNAME=${c.hostname}`, 'A=1', 'HOME=/root']);
    const n = await t.create('nginx');
    expect(n.env.slice(0, 3)).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${n.hostname}`, 'NGINX_VERSION=1.27.3']);
  });

  it('expands Go templates in hostname and env with the task context', async () => {
    const c = await t.create('busybox', ['sleep', '1'], {
      hostname: '{{.Service.Name}}-{{.Task.Slot}}.{{.Node.Hostname}}',
      env: ['SLOT={{.Task.Slot}}', 'NODE={{.Node.ID}}', 'TIER={{index .Service.Labels "tier"}}'],
      serviceLabels: { tier: 'front' },
      slot: 3,
    });
    expect(c.hostname).toBe('web-3.worker-1');
    expect(c.env).toEqual(expect.arrayContaining(['SLOT=3', `NODE=${c.config.nodeId}`, 'TIER=front', 'HOSTNAME=web-3.worker-1']));
    await c.start();
    expect((await c.exec(['cat', '/etc/hostname'])).stdout).toBe('web-3.worker-1\n');
    const global = await t.create('busybox', ['true'], { slot: undefined, hostname: 'agent-{{.Task.Slot}}' });
    expect(global.hostname).toBe(`agent-${global.config.nodeId}`);
  });

  it("refuses a bad template with SwarmKit's error", async () => {
    await expect(t.create('busybox', undefined, { hostname: '{{.Service.Nam}}' })).rejects.toThrow(
      new TemplateExpansionError(
        'expanding hostname failed: template: expansion:1:2: executing "expansion" at <.Service.Nam>: can\'t evaluate field Nam in type struct { ID string; Name string; Labels map[string]string }',
      ),
    );
    await expect(t.create('busybox', undefined, { env: ['X={{.Bogus'] })).rejects.toThrow('expanding env failed: expanding env "X={{.Bogus": template: expansion:1: unclosed action');
  });

  it('refuses configs it cannot honour', async () => {
    await expect(t.create('busybox', undefined, { bindAddress: '0.0.0.0' })).rejects.toThrow('bindAddress must be a 127.0.0.0/8 address');
    await expect(t.create('busybox', undefined, { rootDir: '/' })).rejects.toThrow('rootDir must be an absolute directory');
    await expect(t.create('', undefined)).rejects.toThrow('image is required');
  });
});

describe('images', () => {
  it('runs unknown images as generic containers, or refuses them as a registry-less daemon', async () => {
    const generic = await t.run('myorg/app:1.0');
    expect(generic.status().state).toBe('running');
    await expect(strict.create('myorg/app:1.0@sha256:abc')).rejects.toThrow(new ImageNotFoundError('myorg/app:1.0@sha256:abc'));
    await expect(strict.create('myorg/app:1.0')).rejects.toThrow('No such image: myorg/app:1.0');
    const known = await strict.run('docker.io/library/busybox:1.36@sha256:0000000000000000000000000000000000000000000000000000000000000000', ['true']);
    expect(await known.wait()).toBe(0);
  });
});

describe('secrets and configs', () => {
  it('writes secrets under /run/secrets and configs at the root, with their modes', async () => {
    const c = await t.create('busybox', ['sleep', '1'], {
      secrets: [
        { target: 'mysecret', uid: '0', gid: '0', mode: 0o444, data: Buffer.from('s3cr3t-value') },
        { target: '/etc/app/key.pem', uid: '0', gid: '0', mode: 0o400, data: Buffer.from('KEY') },
      ],
      configs: [
        { target: '/etc/myconfig', uid: '0', gid: '0', mode: 0o444, data: Buffer.from('key=value') },
        { target: 'relative.conf', uid: '0', gid: '0', mode: 0o640, data: Buffer.from('r') },
      ],
    });
    const root = c.config.rootDir;
    const check = async (path: string, content: string, mode: number) => {
      expect(await readFile(join(root, path), 'utf8')).toBe(content);
      expect((await stat(join(root, path))).mode & 0o777).toBe(mode);
    };
    await check('run/secrets/mysecret', 's3cr3t-value', 0o444);
    await check('etc/app/key.pem', 'KEY', 0o400);
    await check('etc/myconfig', 'key=value', 0o444);
    await check('relative.conf', 'r', 0o640);
    await c.start();
    expect((await c.exec(['cat', '/run/secrets/mysecret', '/etc/myconfig'])).stdout).toBe('s3cr3t-valuekey=value');
  });

  it('keeps a target from escaping the container root', async () => {
    const c = await t.create('busybox', ['true'], { secrets: [{ target: '../../escape', uid: '0', gid: '0', mode: 0o444, data: Buffer.from('x') }] });
    expect(existsSync(join(c.config.rootDir, 'run/secrets/escape'))).toBe(false);
    expect(existsSync(join(c.config.rootDir, 'escape'))).toBe(true);
  });

  it('never puts secret contents in a log line', async () => {
    const secret = 'TOPSECRET-7f3a9c';
    diagnostics.length = 0;
    const secrets = [{ target: 'token', uid: '0', gid: '0', mode: 0o400, data: Buffer.from(secret) }];
    const web = await t.run('nginx', undefined, { secrets });
    await httpGet(web.config.bindAddress, 80, '/run/secrets/token');
    await web.stop();
    const failing = await t.run('busybox', ['sh', '-c', 'ls -l /run/secrets; nosuchcmd /run/secrets/token; exit 4'], { secrets });
    expect(await failing.wait()).toBe(4);
    const lines: LogLine[] = [...(await collectLogs(web)), ...(await collectLogs(failing))];
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.line).not.toContain(secret);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(JSON.stringify(diagnostics)).not.toContain(secret);
  });
});

describe('logs', () => {
  async function chatty(count: number) {
    const c = await t.run('busybox', ['sh', '-c', `for i in $(seq ${count}); do echo "out $i"; echo "err $i" >&2; done`]);
    await c.wait();
    return c;
  }

  it('keeps stdout and stderr lines with RFC3339Nano times, and tails', async () => {
    const c = await chatty(3);
    const all = await collectLogs(c);
    expect(all.map((l) => `${l.stream}:${l.line}`)).toEqual(['stdout:out 1', 'stderr:err 1', 'stdout:out 2', 'stderr:err 2', 'stdout:out 3', 'stderr:err 3']);
    for (const l of all) expect(l.time).toMatch(RFC3339_NANO);
    const tail: string[] = [];
    for await (const l of c.logs({ tail: 2 })) tail.push(l.line);
    expect(tail).toEqual(['out 3', 'err 3']);
    const none: string[] = [];
    for await (const l of c.logs({ tail: 0 })) none.push(l.line);
    expect(none).toEqual([]);
  });

  it('filters by since/until on the runtime clock', async () => {
    const start = fakeNow;
    const c = await jumping.run('busybox', ['sh', '-c', 'echo early; sleep 10; echo late']);
    await c.wait();
    const lines = await collectLogs(c);
    expect(lines.map((l) => l.line)).toEqual(['early', 'late']);
    expect(Date.parse(lines[1]!.time) - Date.parse(lines[0]!.time)).toBe(10_000);
    const lateMs = start + 10_000;
    const since: string[] = [];
    for await (const l of c.logs({ since: lateMs })) since.push(l.line);
    expect(since).toEqual(['late']);
    const until: string[] = [];
    for await (const l of c.logs({ until: lateMs })) until.push(l.line);
    expect(until).toEqual(['early']);
  });

  it('follows new lines until the container exits, or until aborted', async () => {
    const c = await t.run('busybox', ['sh', '-c', 'echo one; sleep 0.05; echo two; sleep 0.05; echo three']);
    const followed: string[] = [];
    for await (const l of c.logs({ follow: true })) followed.push(l.line);
    expect(followed).toEqual(['one', 'two', 'three']);
    expect(c.status().state).toBe('exited');

    const forever = await t.run('busybox', ['sh', '-c', 'echo hello; sleep 1000']);
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const l of forever.logs({ follow: true, signal: abort.signal })) {
      seen.push(l.line);
      abort.abort();
    }
    expect(seen).toEqual(['hello']);
  });
});

describe('stop, kill and remove', () => {
  it('emits exit with the code, frees the ports, and remove deletes the root', async () => {
    const exits: [string, number][] = [];
    const onExit = (id: string, code: number) => exits.push([id, code]);
    t.runtime.on('exit', onExit);
    try {
      const web = await t.run('nginx');
      const addr = web.config.bindAddress;
      expect((await httpGet(addr, 80)).status).toBe(200);
      await web.kill();
      expect(web.status().exitCode).toBe(137);
      expect(await portIsFree(addr, 80)).toBe(true);
      const done = await t.run('busybox', ['sh', '-c', 'exit 3']);
      await done.wait();
      expect(exits).toEqual([
        [web.id, 137],
        [done.id, 3],
      ]);
      const root = web.config.rootDir;
      expect(existsSync(root)).toBe(true);
      await web.remove();
      expect(existsSync(root)).toBe(false);
      expect(t.runtime.get(web.id)).toBeUndefined();
      expect(t.runtime.list()).toContain(done);
    } finally {
      t.runtime.off('exit', onExit);
    }
  });

  it('removes a running container: killed first, its sockets closed', async () => {
    const c = await t.run('redis');
    const addr = c.config.bindAddress;
    await c.remove();
    expect(c.status().exitCode).toBe(137);
    expect(await portIsFree(addr, 6379)).toBe(true);
    await c.remove();
  });

  it('stops a container that is not running without complaint', async () => {
    const c = await t.create('busybox', ['true']);
    await c.stop();
    expect(c.status().state).toBe('created');
    await c.start();
    await c.wait();
    await c.stop();
    await c.kill();
    expect(c.status()).toMatchObject({ state: 'exited', exitCode: 0 });
  });
});
