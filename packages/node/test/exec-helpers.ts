// Shared by the exec*.test.ts files: a runtime whose containers are all removed after each test,
// each container on its own loopback address in the file's 127.B.x.y block (B in 128–137, which
// the launcher never hands out), plus small HTTP/TCP clients.

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { ContainerRuntime, type Container, type ContainerConfig, type ContainerRuntimeOptions, type LogLine } from '../src/agent/exec/index.js';

export interface TestRuntime {
  runtime: ContainerRuntime;
  /** Creates a container for service "web", slot 1 unless overridden. */
  create(image: string, args?: string[], extra?: Partial<ContainerConfig>): Promise<Container>;
  /** Creates and starts. */
  run(image: string, args?: string[], extra?: Partial<ContainerConfig>): Promise<Container>;
  nextAddress(): string;
}

export function useRuntime(block: number, opts: ContainerRuntimeOptions = {}): TestRuntime {
  const base = mkdtempSync(join(tmpdir(), 'swarmlab-exec-'));
  const runtime = new ContainerRuntime(opts);
  let n = 0;
  let taskCounter = 0;
  const nextAddress = () => {
    n++;
    return `127.${block}.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  };
  afterEach(async () => {
    await Promise.all(runtime.list().map((c) => c.remove()));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const create = (image: string, args?: string[], extra: Partial<ContainerConfig> = {}) => {
    taskCounter++;
    const taskId = `task${String(taskCounter).padStart(21, '0')}`;
    return runtime.create({
      taskId,
      serviceId: 'svc0000000000000000000001',
      serviceName: 'web',
      nodeId: 'node000000000000000000001',
      slot: 1,
      taskName: `web.1.${taskId}`,
      image,
      args,
      bindAddress: nextAddress(),
      rootDir: join(base, `c${taskCounter}`),
      nodeHostname: 'worker-1',
      ...extra,
    });
  };
  return {
    runtime,
    create,
    run: async (image, args, extra) => {
      const c = await create(image, args, extra);
      await c.start();
      return c;
    },
    nextAddress,
  };
}

export async function collectLogs(c: Container): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const l of c.logs()) lines.push(l);
  return lines;
}

export async function logText(c: Container, stream?: 'stdout' | 'stderr'): Promise<string> {
  return (await collectLogs(c))
    .filter((l) => !stream || l.stream === stream)
    .map((l) => l.line)
    .join('\n');
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on its own connection (closed after), so no socket outlives the test. */
export function httpGet(host: string, port: number, path = '/', headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, headers: { Connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes, collects what comes back until the peer closes (or `until` says enough). */
export function tcpExchange(host: string, port: number, send: string, until?: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    socket.on('connect', () => socket.write(send));
    socket.on('data', (d: Buffer) => {
      received += d.toString('utf8');
      if (until?.(received)) socket.end();
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** True when nothing listens on host:port any more (we can bind it ourselves). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Waits until something accepts connections on host:port (a server a script starts later). */
export async function waitForPort(host: string, port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
