import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerApiError,
  DockerClient,
  DockerConnectionError,
  isIndeterminate,
  type EventMessage,
  type Swarm,
} from '../src/index.js';
import { fixture, fixtureText } from './helpers/fixtures.js';

interface Recorded {
  remotePort: number | undefined;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, recorded: Recorded) => void;

const json = (res: ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(value === undefined ? '' : JSON.stringify(value));
};

/** Answers like a daemon that accepted the call: a JSON body for reads, empty for writes. */
const okHandler: Handler = (req, res) => {
  if (req.method === 'GET') json(res, 200, []);
  else res.writeHead(200).end();
};

let server: Server;
let port: number;
let handler: Handler = okHandler;
const requests: Recorded[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded = {
        remotePort: req.socket.remotePort,
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(req, res, recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  handler = okHandler;
  requests.length = 0;
  server.closeAllConnections();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = (options: { apiVersion?: string; timeoutMs?: number } = {}) =>
  new DockerClient({ host: '127.0.0.1', port, ...options });

const lastUrl = (): string => {
  const last = requests.at(-1)!;
  const query = last.query.toString();
  return `${last.method} ${last.path}${query ? `?${decodeURIComponent(query)}` : ''}`;
};

describe('paths and versions', () => {
  it('prefixes every path but /_ping with /v1.47', async () => {
    handler = (req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.47', Swarm: 'active/manager', Ostype: 'linux', 'Docker-Experimental': 'false' });
        res.end('OK');
      } else json(res, 200, {});
    };
    const docker = client();
    expect(await docker.ping()).toEqual({
      apiVersion: '1.47',
      swarm: 'active/manager',
      osType: 'linux',
      experimental: false,
      builderVersion: undefined,
    });
    await docker.info();
    await docker.version();
    expect(requests.map((r) => r.path)).toEqual(['/_ping', '/v1.47/info', '/v1.47/version']);
  });

  it('uses another version, or none as dockerode does', async () => {
    await client({ apiVersion: '1.41' }).nodeList();
    await client({ apiVersion: '' }).nodeList();
    expect(requests.map((r) => r.path)).toEqual(['/v1.41/nodes', '/nodes']);
  });

  it('opens a fresh connection per request unless keep-alive is asked for', async () => {
    const plain = client();
    await plain.nodeList();
    await plain.nodeList();
    expect(requests.map((r) => r.headers.connection)).toEqual(['close', 'close']);
    const pooled = new DockerClient({ host: '127.0.0.1', port, keepAlive: true });
    try {
      await pooled.nodeList();
      await pooled.nodeList();
      expect(requests.slice(2).map((r) => r.headers.connection)).toEqual(['keep-alive', 'keep-alive']);
      expect(new Set(requests.slice(2).map((r) => r.remotePort)).size).toBe(1);
    } finally {
      pooled.close();
    }
  });

  it('escapes references', async () => {
    handler = (_req, res) => json(res, 200, {});
    await client().nodeInspect('a/b c');
    expect(requests[0].path).toBe('/v1.47/nodes/a%2Fb%20c');
  });
});

describe('requests as the CLI sends them', () => {
  it.each<[string, (d: DockerClient) => Promise<unknown>, string]>([
    ['swarm leave', (d) => d.swarmLeave(), 'POST /v1.47/swarm/leave'],
    ['swarm leave --force', (d) => d.swarmLeave(true), 'POST /v1.47/swarm/leave?force=1'],
    ['node rm --force', (d) => d.nodeRemove('node2', true), 'DELETE /v1.47/nodes/node2?force=1'],
    ['node rm', (d) => d.nodeRemove('node2'), 'DELETE /v1.47/nodes/node2'],
    ['service inspect', (d) => d.serviceInspect('web', { insertDefaults: true }), 'GET /v1.47/services/web?insertDefaults=true'],
    ['service update (read)', (d) => d.serviceInspect('web'), 'GET /v1.47/services/web?insertDefaults=false'],
    ['service ls', (d) => d.serviceList({ status: true }), 'GET /v1.47/services?status=true'],
    [
      'join-token --rotate manager',
      (d) => d.swarmUpdate({}, { version: 7, rotateManagerToken: true }),
      'POST /v1.47/swarm/update?rotateManagerToken=true&rotateManagerUnlockKey=false&rotateWorkerToken=false&version=7',
    ],
    ['node update', (d) => d.nodeUpdate('abc', 12, { Labels: {}, Role: 'worker', Availability: 'drain' }), 'POST /v1.47/nodes/abc/update?version=12'],
    [
      'service update',
      (d) => d.serviceUpdate('sid', 5, { TaskTemplate: { ContainerSpec: { Image: 'nginx' } } }, { registryAuthFrom: 'spec' }),
      'POST /v1.47/services/sid/update?registryAuthFrom=spec&version=5',
    ],
    [
      'service rollback',
      (d) => d.serviceUpdate('sid', 6, { TaskTemplate: { ContainerSpec: { Image: 'nginx' } } }, { rollback: 'previous' }),
      'POST /v1.47/services/sid/update?rollback=previous&version=6',
    ],
    ['network inspect --verbose', (d) => d.networkInspect('mynet', { scope: 'swarm', verbose: true }), 'GET /v1.47/networks/mynet?scope=swarm&verbose=true'],
  ])('%s', async (_name, call, expected) => {
    handler = (req, res) => (req.method === 'GET' ? json(res, 200, {}) : json(res, 200, { Warnings: null }));
    await call(client());
    expect(lastUrl()).toBe(expected);
  });

  it('encodes filters in the CLI map form', async () => {
    await client().nodeList({ role: 'manager' });
    await client().taskList({ service: ['web'], 'desired-state': 'running' });
    await client().serviceList({ filters: { label: ['com.docker.stack.namespace=st'] } });
    expect(requests.map((r) => r.query.get('filters'))).toEqual([
      '{"role":{"manager":true}}',
      '{"service":{"web":true},"desired-state":{"running":true}}',
      '{"label":{"com.docker.stack.namespace=st":true}}',
    ]);
  });

  it('sends JSON bodies and reads swarm init’s JSON-string answer', async () => {
    handler = (_req, res) => json(res, 200, 'vq89rxodqjgde9h3lug178dm9');
    const nodeId = await client().swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '127.0.1.1' });
    expect(nodeId).toBe('vq89rxodqjgde9h3lug178dm9');
    expect(requests[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(requests[0].body)).toEqual({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '127.0.1.1' });
  });

  it('sends no body and no content type on a bodiless POST, and reads an empty answer as undefined', async () => {
    await expect(client().swarmLeave(true)).resolves.toBeUndefined();
    expect(requests[0].body).toBe('');
    expect(requests[0].headers['content-type']).toBeUndefined();
  });

  it('passes X-Registry-Auth through', async () => {
    handler = (_req, res) => json(res, 201, { ID: 'sid' });
    const created = await client().serviceCreate({ TaskTemplate: { ContainerSpec: { Image: 'nginx' } } }, { registryAuth: 'e30=' });
    expect(created).toEqual({ ID: 'sid' });
    expect(requests[0].headers['x-registry-auth']).toBe('e30=');
  });

  it('returns the typed objects the daemon sent', async () => {
    handler = (_req, res) => json(res, 200, fixture<Swarm>('api-swarm.json'));
    const swarm = await client().swarmInspect();
    expect(swarm.JoinTokens.Worker).toMatch(/^SWMTKN-1-/);
    expect(swarm.Spec.Dispatcher.HeartbeatPeriod).toBe(5_000_000_000);
  });
});

describe('failures', () => {
  it('maps an error body to DockerApiError with the status and the daemon message', async () => {
    handler = (_req, res) => json(res, 503, { message: 'This node is not part of a swarm' });
    const error = await client().swarmLeave().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerApiError);
    expect(error).toMatchObject({
      statusCode: 503,
      message: 'This node is not part of a swarm',
      request: { method: 'POST', path: '/v1.47/swarm/leave' },
    });
    expect(isIndeterminate(error)).toBe(false);
  });

  it('keeps a plain-text error body, and names the status when there is none', async () => {
    handler = (_req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('page not found\n');
    await expect(client().info()).rejects.toMatchObject({ statusCode: 404, message: 'page not found' });
    handler = (_req, res) => res.writeHead(500).end();
    await expect(client().info()).rejects.toMatchObject({ statusCode: 500, message: '500 Internal Server Error' });
  });

  it('reports a refused connection as a DockerConnectionError that never reached the daemon', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new DockerClient({ host: '127.0.0.1', port: closedPort }).info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerConnectionError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', mayHaveReachedServer: false });
    expect(isIndeterminate(error)).toBe(false);
  });

  it('reports a dropped connection after the request was sent as indeterminate', async () => {
    handler = (req) => req.socket.destroy();
    const error = await client().serviceCreate({ TaskTemplate: { ContainerSpec: { Image: 'nginx' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerConnectionError);
    expect((error as DockerConnectionError).mayHaveReachedServer).toBe(true);
    expect(isIndeterminate(error)).toBe(true);
  });

  it('reports a daemon that never answers as a timeout', async () => {
    handler = () => {
      // hold the request; afterEach closes the connection
    };
    const error = await client({ timeoutMs: 50 }).info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerConnectionError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', mayHaveReachedServer: true });
  });

  it('reports an abort before connecting as not having reached the daemon', async () => {
    const error = await client().info({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DockerConnectionError', code: 'ABORTED', mayHaveReachedServer: false });
    expect(requests).toHaveLength(0);
  });

  it('reports the caller’s abort as ABORTED', async () => {
    handler = () => {
      // hold the request
    };
    const controller = new AbortController();
    const pending = client().request('GET', '/info', { signal: controller.signal }).catch((e: unknown) => e);
    while (requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ name: 'DockerConnectionError', code: 'ABORTED' });
  });
});

describe('event stream', () => {
  const lines = fixtureText('events-swarm.jsonl').trim().split('\n');

  it('yields each JSON line the daemon streams, split across chunks', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const text = `${lines.slice(0, 3).join('\n')}\n`;
      res.write(text.slice(0, 40));
      res.end(text.slice(40));
    };
    const events: EventMessage[] = [];
    for await (const event of client().events({ since: 1795686378, until: '1795686500.5', filters: { type: ['service'] } })) {
      events.push(event);
    }
    expect(events.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name}`)).toEqual([
      'node update vm',
      'service create web',
      'secret create mysecret',
    ]);
    expect(lastUrl()).toBe('GET /v1.47/events?filters={"type":{"service":true}}&since=1795686378&until=1795686500.5');
  });

  it('ends quietly when the caller aborts an open stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${lines[0]}\n`);
    };
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of client().events({ signal: controller.signal })) {
      seen.push(event.Action);
      controller.abort();
    }
    expect(seen).toEqual(['update']);
  });
});
