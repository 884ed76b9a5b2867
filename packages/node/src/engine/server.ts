// The Docker Engine API on ADDR:2375 (HTTP, loopback only): the swarm membership endpoints.
// Shapes and texts follow ../shared/reference/real-swarm and docker-cli.

import { createServer, type Server, type ServerResponse } from 'node:http';
import { kernelRelease } from './host.js';
import { registerEventRoutes } from './routes-events.js';
import { networkRoutes } from './routes-networks.js';
import { logRoutes } from './routes-logs.js';
import { containerRoutes } from './routes-containers.js';
import { RunLoader } from './run-loader.js';
import { imageRoutes } from './routes-images.js';
import { volumeRoutes } from './routes-volumes.js';
import { systemRoutes } from './routes-system.js';
import { ExecSessions, hijackExecStart } from './exec-sessions.js';
import {
  GO_CONFIG_SPEC,
  GO_INIT_REQUEST,
  GO_JOIN_REQUEST,
  GO_NODE_SPEC,
  GO_SECRET_SPEC,
  GO_SERVICE_SPEC,
  GO_SWARM_SPEC,
  GO_UNLOCK_REQUEST,
} from '@swarmlab/api';
import type { Daemon } from '../daemon/daemon.js';
import { ApiError } from '../errors.js';
import {
  API_VERSION,
  boolQuery,
  jsonBody,
  MIN_API_VERSION,
  readBody,
  Router,
  sendError,
  sendJson,
  stripVersion,
  type Request,
} from './http.js';
import { rotateFlagParam, strictBoolParam, versionParam } from './query-params.js';
import { parseRequestTarget, sendCleanPathRedirect, sendGoBadRequest } from './request-target.js';
import { serviceUpdateRollback } from './service-update-options.js';

export function isLoopback(addr: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(addr);
}

function commonHeaders(res: ServerResponse, daemon: Daemon): void {
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', `Docker/${daemon.engineVersion()} (linux)`);
}

export function engineRoutes(daemon: Daemon, execs = new ExecSessions((ev) => daemon.publishLocalEvent(ev)), run = new RunLoader(daemon)): Router {
  const r = new Router();
  containerRoutes(r, daemon, execs);
  run.register(r);
  imageRoutes(r, daemon);
  volumeRoutes(r, daemon);
  systemRoutes(r, daemon);
  const ping = (req: Request, res: ServerResponse) => {
    res.setHeader('Swarm', daemon.pingState());
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', '1');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  };
  r.on('GET', '/_ping', ping);
  r.on('HEAD', '/_ping', ping);

  r.on('GET', '/version', () => versionInfo(daemon));
  r.on('GET', '/info', async () => systemInfo(daemon));

  r.on('POST', '/swarm/init', async (req) => {
    return daemon.init(await jsonBody<Parameters<Daemon['init']>[0]>(req, GO_INIT_REQUEST));
  });
  r.on('POST', '/swarm/join', async (req) => {
    await daemon.join(await jsonBody<Parameters<Daemon['join']>[0]>(req, GO_JOIN_REQUEST));
    return undefined;
  });
  r.on('POST', '/swarm/leave', async (req) => {
    await daemon.leave(boolQuery(req.query, 'force'));
    return undefined;
  });
  r.on('GET', '/swarm', () => daemon.control('swarm.inspect', {}));
  // Each update route decodes the body before it parses `version` (moby cluster_routes.go).
  r.on('POST', '/swarm/update', async (req) => {
    const spec = await jsonBody(req, GO_SWARM_SPEC);
    const version = versionParam(req.query, 'swarm');
    const flags = {
      rotateWorkerToken: rotateFlagParam(req.query, 'rotateWorkerToken'),
      rotateManagerToken: rotateFlagParam(req.query, 'rotateManagerToken'),
      rotateManagerUnlockKey: rotateFlagParam(req.query, 'rotateManagerUnlockKey'),
    };
    await daemon.control('swarm.update', { version, spec, flags });
    return undefined;
  });
  r.on('GET', '/swarm/unlockkey', () => daemon.control('swarm.unlockKey', {}));
  r.on('POST', '/swarm/unlock', async (req) => {
    await daemon.unlock((await jsonBody<{ UnlockKey?: string }>(req, GO_UNLOCK_REQUEST)).UnlockKey);
    return undefined;
  });

  r.on('POST', '/services/create', async (req, res) => {
    sendJson(res, 201, await daemon.control('service.create', { spec: await jsonBody(req, GO_SERVICE_SPEC) }));
  });
  r.on('GET', '/services', (req) =>
    daemon.control('service.list', { filters: req.query.get('filters') ?? undefined, status: strictBoolParam(req.query, 'status') }),
  );
  r.on('GET', '/services/{id}', (req) =>
    daemon.control('service.inspect', { ref: req.params.id, insertDefaults: strictBoolParam(req.query, 'insertDefaults') }),
  );
  r.on('POST', '/services/{id}/update', async (req) => {
    const spec = await jsonBody(req, GO_SERVICE_SPEC);
    const version = versionParam(req.query, 'service');
    const rollback = await serviceUpdateRollback(daemon, req);
    return daemon.control('service.update', { ref: req.params.id, version, spec, rollback });
  });
  r.on('DELETE', '/services/{id}', async (req) => {
    await daemon.control('service.remove', { ref: req.params.id });
    return undefined;
  });
  r.on('GET', '/tasks', (req) => daemon.control('task.list', { filters: req.query.get('filters') ?? undefined }));
  r.on('GET', '/tasks/{id}', (req) => daemon.control('task.inspect', { ref: req.params.id }));
  // A daemon without a registry cannot resolve digests: the CLI warns and carries on.
  r.on('GET', '/distribution/{name*}/json', (req) => {
    throw new ApiError(500, `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host (swarmlab has no registry; image ${req.params.name} is used as given)`);
  });

  for (const kind of ['secret', 'config'] as const) {
    const base = `/${kind}s`;
    const goType = kind === 'secret' ? GO_SECRET_SPEC : GO_CONFIG_SPEC;
    r.on('POST', `${base}/create`, async (req, res) => {
      const created = await daemon.control(`${kind}.create`, { spec: await jsonBody(req, goType) });
      sendJson(res, 201, created);
    });
    r.on('GET', base, (req) => daemon.control(`${kind}.list`, { filters: req.query.get('filters') ?? undefined }));
    r.on('GET', `${base}/{id}`, (req) => daemon.control(`${kind}.inspect`, { ref: req.params.id }));
    r.on('POST', `${base}/{id}/update`, async (req) => {
      const spec = await jsonBody(req, goType);
      const version = versionParam(req.query, kind);
      await daemon.control(`${kind}.update`, { ref: req.params.id, version, spec });
      return undefined;
    });
    r.on('DELETE', `${base}/{id}`, async (req, res) => {
      await daemon.control(`${kind}.remove`, { ref: req.params.id });
      res.writeHead(204);
      res.end();
    });
  }

  r.on('GET', '/nodes', (req) => daemon.control('node.list', { filters: req.query.get('filters') ?? undefined }));
  r.on('GET', '/nodes/{id}', (req) => daemon.control('node.inspect', { ref: req.params.id }));
  r.on('POST', '/nodes/{id}/update', async (req) => {
    const spec = await jsonBody(req, GO_NODE_SPEC);
    const version = versionParam(req.query, 'node');
    await daemon.control('node.update', { ref: req.params.id, version, spec });
    return undefined;
  });
  r.on('DELETE', '/nodes/{id}', async (req) => {
    await daemon.control('node.remove', { ref: req.params.id, force: boolQuery(req.query, 'force') });
    return undefined;
  });
  registerEventRoutes(r, daemon.engineEvents, daemon.o.clock);
  networkRoutes(r, daemon);
  logRoutes(r, daemon);
  return r;
}

export function versionInfo(daemon: Daemon): Record<string, unknown> {
  const v = daemon.engineVersion();
  const details = {
    ApiVersion: API_VERSION,
    Arch: 'amd64',
    BuildTime: '2026-11-01T00:00:00.000000000+00:00',
    Experimental: 'false',
    GitCommit: 'swarmlab',
    GoVersion: `node${process.versions.node}`,
    KernelVersion: kernelRelease(),
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: 'swarmlab' },
    Components: [{ Name: 'Engine', Version: v, Details: details }],
    Version: v,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'swarmlab',
    GoVersion: details.GoVersion,
    Os: 'linux',
    Arch: 'amd64',
    KernelVersion: details.KernelVersion,
    BuildTime: details.BuildTime,
  };
}

export async function systemInfo(daemon: Daemon): Promise<Record<string, unknown>> {
  const containers = daemon.containers();
  const running = containers.filter((c) => c.status().state === 'running').length;
  return {
    ID: daemon.nodeId || 'swarmlab',
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: containers.length - running,
    Images: daemon.images().length,
    Driver: 'overlay2',
    DriverStatus: [],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'], Authorization: null, Log: ['json-file', 'local'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'systemd',
    CgroupVersion: '2',
    NEventsListener: daemon.engineEvents.subscriberCount,
    KernelVersion: kernelRelease(),
    OperatingSystem: 'swarmlab (emulated)',
    OSVersion: '',
    OSType: 'linux',
    Architecture: 'x86_64',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: null },
    NCPU: 2,
    MemTotal: 2 * 1024 ** 3,
    DockerRootDir: daemon.o.stateDir,
    Name: daemon.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: daemon.engineVersion(),
    Runtimes: { runc: { path: 'runc' } },
    DefaultRuntime: 'runc',
    Swarm: await daemon.swarmInfo(),
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    SecurityOptions: [],
    Warnings: null,
  };
}

/** Starts the Engine API; refuses to bind anything but a loopback address. */
export function startEngineServer(daemon: Daemon, addr: string, port: number): Promise<Server> {
  if (!isLoopback(addr)) throw new Error(`the Engine API binds loopback addresses only (127.0.0.0/8), not ${addr}`);
  const execs = new ExecSessions((ev) => daemon.publishLocalEvent(ev));
  const run = new RunLoader(daemon);
  const routes = engineRoutes(daemon, execs, run);
  const server = createServer((req, res) => {
    commonHeaders(res, daemon);
    const target = parseRequestTarget(req.url ?? '/');
    if (target.kind === 'bad') return sendGoBadRequest(res);
    if (target.kind === 'redirect') return sendCleanPathRedirect(res, target.location);
    const path = stripVersion(target.path);
    const method = req.method ?? 'GET';
    const found = routes.match(method, path);
    // dockerd answers a known path with the wrong method as it answers an unknown one.
    if (!found || found === 'method') return sendJson(res, 404, { message: 'page not found' });
    const request: Request = { method, path, params: found.params, query: target.query, headers: req.headers, body: readBody(req) };
    Promise.resolve()
      .then(() => found.handler(request, res))
      .then((value) => {
        if (res.writableEnded || res.headersSent) return;
        if (method === 'POST' && path === '/swarm/init') return sendJson(res, 200, value);
        if (value === undefined) {
          res.writeHead(200, { 'Content-Length': 0 });
          res.end();
          return;
        }
        sendJson(res, 200, value);
      })
      .catch((e) => sendError(res, e));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  // `docker exec` and `docker run`/`attach` attach with `Upgrade: tcp`; nothing else is upgraded.
  server.on('upgrade', (req, socket, head) => {
    const target = parseRequestTarget(req.url ?? '/');
    const path = target.kind === 'ok' ? stripVersion(target.path) : '';
    const exec = /^\/exec\/([^/]+)\/start$/.exec(path);
    if (req.method === 'POST' && exec) return hijackExecStart(execs, exec[1]!, req, socket, head);
    const attach = /^\/containers\/([^/]+)\/attach$/.exec(path);
    if (req.method === 'POST' && attach) return run.hijack(attach[1]!, req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"message":"page not found"}\n');
  });
  daemon.apiGate.attach(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, addr, () => resolve(server));
  });
}
