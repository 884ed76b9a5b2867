// dockerode (the Node.js Docker SDK, unversioned paths) drives a swarm end to end: init on one
// node, join a second with the token it reads back, then services, tasks, secrets, networks and
// events — the calls a Node.js tool built on dockerode makes.

import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlServer, killGroup, NodeProcess, waitFor } from '@swarmlab/launcher';

const home = mkdtempSync(join(tmpdir(), 'swarmlab-dockerode-'));
const control = new ControlServer();
const nodes: NodeProcess[] = [];
const ADDRS = ['127.3.250.2', '127.3.250.3'];

beforeAll(async () => {
  await control.listen();
  for (const [i, addr] of ADDRS.entries()) {
    const name = i === 0 ? 'manager1' : 'worker1';
    const p = new NodeProcess({
      name,
      role: i === 0 ? 'manager' : 'worker',
      addr,
      stateDir: join(home, name),
      logFile: join(home, `${name}.log`),
      profile: 'fast',
      timeScale: 1,
      controlUrl: control.url,
    });
    nodes.push(p);
    await p.start();
  }
}, 60_000);

afterAll(async () => {
  for (const p of nodes) {
    const pid = p.pid;
    await p.stop(3000).catch(() => p.kill());
    if (pid) killGroup(pid);
  }
  await control.close();
  rmSync(home, { recursive: true, force: true });
}, 60_000);


describe('dockerode', () => {
  const manager = new Docker({ host: ADDRS[0], port: 2375 });
  const worker = new Docker({ host: ADDRS[1], port: 2375 });

  it('forms a swarm: init, read the worker token, join', async () => {
    const nodeId = await manager.swarmInit({ ListenAddr: `${ADDRS[0]}:2377`, AdvertiseAddr: ADDRS[0] });
    expect(typeof nodeId).toBe('string');
    const swarm = await manager.swarmInspect();
    expect(swarm.JoinTokens.Worker).toMatch(/^SWMTKN-1-/);
    await worker.swarmJoin({ ListenAddr: `${ADDRS[1]}:2377`, AdvertiseAddr: ADDRS[1], RemoteAddrs: [`${ADDRS[0]}:2377`], JoinToken: swarm.JoinTokens.Worker });
    const list = await waitFor(async () => {
      const ns = await manager.listNodes();
      return ns.length === 2 && ns.every((n) => n.Status?.State === 'ready') && ns;
    }, 20_000, 'two ready nodes');
    expect(list.map((n) => n.Spec?.Role).sort()).toEqual(['manager', 'worker']);
    const info = await worker.info();
    expect(info.Swarm.LocalNodeState).toBe('active');
  }, 60_000);

  it('creates, inspects and updates a service and lists its tasks', async () => {
    const created = await manager.createService({
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
      Mode: { Replicated: { Replicas: 2 } },
    });
    const service = manager.getService(created.id);
    const inspected = await service.inspect();
    expect(inspected.Spec.Name).toBe('web');
    const running = await waitFor(async () => {
      const tasks = await manager.listTasks({ filters: { service: ['web'], 'desired-state': ['running'] } });
      return tasks.filter((t) => t.Status?.State === 'running').length === 2 && tasks;
    }, 20_000, 'two running tasks');
    expect(running).toHaveLength(2);
    await service.update({ ...inspected.Spec, version: inspected.Version.Index, Mode: { Replicated: { Replicas: 1 } } });
    const after = await manager.getService(created.id).inspect();
    expect(after.Spec.Mode?.Replicated?.Replicas).toBe(1);
    expect(after.Version.Index).toBeGreaterThan(inspected.Version.Index);
  }, 60_000);

  it('creates, lists and removes secrets and networks', async () => {
    const secret = await manager.createSecret({ Name: 'db-password', Data: Buffer.from('hunter2').toString('base64') });
    const secrets = await manager.listSecrets({ filters: { name: ['db-password'] } });
    expect(secrets.map((s) => s.ID)).toEqual([secret.id]);
    expect((await manager.getSecret(secret.id).inspect()).Spec?.Data).toBeUndefined();
    await manager.getSecret(secret.id).remove();

    const network = await manager.createNetwork({ Name: 'backend', Driver: 'overlay', Attachable: true });
    const inspected = await manager.getNetwork(network.id).inspect();
    expect(inspected).toMatchObject({ Name: 'backend', Driver: 'overlay', Scope: 'swarm', Attachable: true });
    await manager.getNetwork(network.id).remove();
    await expect(manager.getNetwork(network.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);

  it('streams events for a service created while it listens', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const stream = (await manager.getEvents({ since, filters: { type: ['service'] } })) as NodeJS.ReadableStream & { destroy(): void };
    const seen = new Promise<Record<string, any>>((resolve) => {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          const ev = JSON.parse(line) as Record<string, any>;
          if (ev.Action === 'create' && ev.Actor?.Attributes?.name === 'events-probe') resolve(ev);
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
    });
    await manager.createService({ Name: 'events-probe', TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Mode: { Replicated: { Replicas: 0 } } });
    const ev = await seen;
    stream.destroy();
    expect(ev).toMatchObject({ Type: 'service', Action: 'create', scope: 'swarm' });
  }, 60_000);
});
