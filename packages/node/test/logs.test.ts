// docker service logs through the log broker: lines from every task's container, on every node,
// with the task context the CLI prints; --raw/--timestamps/--tail; -f delivers new lines; task
// logs; a follower manager serves them too (forwarded to the leader's broker); bad parameters.

import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;
let leaderAddr: string;
let followerAddr: string;

beforeAll(async () => {
  lab = await startLab({ name: 'logs', managers: 3, workers: 1 });
  const leader = (await lab.leader())!;
  leaderAddr = lab.node(leader).spec.addr;
  followerAddr = lab.node(['manager1', 'manager2', 'manager3'].find((m) => m !== leader)!).spec.addr;
  await lab.client(leader).serviceCreate({
    Name: 'talker',
    TaskTemplate: {
      ContainerSpec: { Image: 'busybox', Args: ['sh', '-c', 'echo hello from $(hostname); echo oops >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done'] },
    },
    Mode: { Replicated: { Replicas: 2 } },
  });
  await lab.waitFor(async () => {
    const tasks = await lab.client(leader).taskList({ service: ['talker'], 'desired-state': ['running'] });
    return tasks.filter((t) => t.Status.State === 'running').length === 2;
  }, 20_000, 'two talker tasks');
  await new Promise((r) => setTimeout(r, 500));
}, 60_000);
afterAll(stopAllLabs, 60_000);

/** Raw GET returning the status and the demultiplexed frames. */
function getFrames(addr: string, path: string): Promise<{ status: number; type?: string; frames: { stream: number; text: string }[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: addr, port: 2375, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const frames: { stream: number; text: string }[] = [];
        if (res.statusCode === 200) {
          for (let o = 0; o + 8 <= buf.length; ) {
            const len = buf.readUInt32BE(o + 4);
            frames.push({ stream: buf[o], text: buf.subarray(o + 8, o + 8 + len).toString() });
            o += 8 + len;
          }
        }
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], frames, body: buf.toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('docker service logs', () => {
  it('prints every task’s lines with its context, stdout and stderr', async () => {
    const out = await docker(leaderAddr, ['service', 'logs', 'talker']);
    if (!out) return;
    expect(out.stdout).toMatch(/^talker\.1\.[a-z0-9]{12}@\S+\s+\| hello from [0-9a-f]{12}$/m);
    expect(out.stdout).toMatch(/^talker\.2\.[a-z0-9]{12}@\S+\s+\| tick 1$/m);
    expect(out.stderr).toMatch(/^talker\.[12]\.[a-z0-9]{12}@\S+\s+\| oops$/m);
    const raw = await docker(leaderAddr, ['service', 'logs', '--raw', '--timestamps', '--tail', '1', '--no-trunc', 'talker']);
    const lines = raw!.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
  }, 30_000);

  it('streams the multiplexed format with the details the CLI splits on, through a follower too', async () => {
    const task = (await lab.client('manager1').taskList({ service: ['talker'] }))[0];
    for (const addr of [leaderAddr, followerAddr]) {
      const r = await getFrames(addr, `/v1.47/tasks/${task.ID}/logs?stdout=1&stderr=1&details=1&timestamps=1&tail=all`);
      expect(r.status).toBe(200);
      expect(r.type).toBe('application/vnd.docker.multiplexed-stream');
      expect(r.frames.find((f) => f.stream === 2)?.text).toMatch(
        new RegExp(`^\\S+Z com\\.docker\\.swarm\\.node\\.id=${task.NodeID},com\\.docker\\.swarm\\.service\\.id=${task.ServiceID},com\\.docker\\.swarm\\.task\\.id=${task.ID} oops\\n$`),
      );
      expect(r.frames.filter((f) => f.stream === 1).length).toBeGreaterThan(1);
    }
  }, 30_000);

  it('follows: lines written after the request arrive', async () => {
    const child = spawn('docker', ['service', 'logs', '-f', '--tail', '0', 'talker'], { env: { ...process.env, DOCKER_HOST: `tcp://${followerAddr}:2375` } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const spawned = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (!spawned) return;
    try {
      await lab.waitFor(() => (out.match(/\| tick \d+/g) ?? []).length >= 4, 15_000, 'followed lines');
    } finally {
      child.kill('SIGKILL');
    }
    expect(out).not.toContain('hello from');
  }, 30_000);

  it('refuses bad parameters and unknown services with Docker’s errors', async () => {
    const none = await getFrames(leaderAddr, '/v1.47/services/talker/logs?stdout=0&stderr=0');
    expect(none.status).toBe(500);
    expect(JSON.parse(none.body).message).toBe('Bad parameters: you must choose at least one stream');
    const unknown = await getFrames(leaderAddr, '/v1.47/services/nope/logs?stdout=1');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).message).toBe('service nope not found');
    const cli = await docker(leaderAddr, ['service', 'logs', 'nope']);
    if (cli) expect(cli.stderr).toContain('no such task or service: nope');
  }, 30_000);
});
