// The containers of this node's tasks, as `docker ps`, `docker inspect`, `docker logs` and
// `docker exec` see them on a swarm node: GET /containers/json, GET /containers/{id}/json and
// /logs, POST /containers/{id}/exec, POST /exec/{id}/start (answered in the body; the attached
// form is exec-sessions.ts's), GET /exec/{id}/json and POST /exec/{id}/resize. Shapes after
// ../shared/reference/real-swarm (api-containers-json.json, container-inspect-*.json).

import type { ServerResponse } from 'node:http';
import type { Daemon } from '../daemon/daemon.js';
import type { Container } from '../agent/exec/index.js';
import type { ContainerDetails } from '../agent/worker.js';
import { endpointResource } from '../manager/controlapi/network-view.js';
import { ApiError } from '../errors.js';
import { GO_EXEC_OPTIONS, GO_EXEC_START_OPTIONS } from '@swarmlab/api';
import { outputWriter, type ExecOptions, type ExecSessions } from './exec-sessions.js';
import { boolQuery, jsonBody, sendJson, streamFrame, type Request, type Router } from './http.js';
import { imageId } from './routes-images.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** docker stop's default grace period. */
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** docker stop's and restart's `t` (seconds) or the default grace period, scaled like every timing of the profile. */
export function stopTimeoutMs(query: URLSearchParams, timingScale: number): number {
  const seconds = query.get('t');
  const ms = seconds !== null && /^-?\d+$/.test(seconds) ? Number(seconds) * 1000 : DEFAULT_STOP_TIMEOUT_MS;
  return Math.max(0, ms) * timingScale;
}

export function noContent(res: ServerResponse, status: 204 | 304): void {
  res.writeHead(status);
  res.end();
}

/** go-units HumanDuration, as `docker ps` shows how long a container has been up or exited. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** What docker ps adds to Up …: the container's health, when it has a check. */
const HEALTH_SUFFIX: Record<string, string> = { starting: ' (health: starting)', healthy: ' (healthy)', unhealthy: ' (unhealthy)' };

function statusText(c: Container, health: ContainerDetails['health'], now: number): string {
  const st = c.status();
  if (st.state === 'running') return `Up ${humanDuration(now - Date.parse(st.startedAt ?? new Date(now).toISOString()))}${health ? HEALTH_SUFFIX[health.Status] : ''}`;
  if (st.state === 'exited') return `Exited (${st.exitCode ?? 0}) ${humanDuration(now - Date.parse(st.finishedAt ?? new Date(now).toISOString()))} ago`;
  return 'Created';
}

const createdSeconds = (c: Container) => Math.floor(Date.parse(c.status().startedAt ?? new Date().toISOString()) / 1000);

/** The container of an ID, an unambiguous ID prefix or a name (with or without its leading slash). */
export function findContainer(daemon: Daemon, ref: string): Container {
  const all = daemon.containers();
  const name = ref.replace(/^\//, '');
  const exact = all.find((c) => c.id === ref || c.config.taskName === name);
  if (exact) return exact;
  const byPrefix = ref.length > 0 ? all.filter((c) => c.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) throw new ApiError(400, `multiple IDs found with provided prefix: ${ref}`);
  throw new ApiError(404, `No such container: ${ref}`);
}

/**
 * NetworkSettings.Networks: the task's overlay attachments, by network name, with the endpoint ID
 * and MAC `docker network inspect` shows for the same container (network-view.ts).
 */
function networks(c: Container, details: ContainerDetails) {
  const out: Record<string, unknown> = {};
  for (const a of details.attachments) {
    const endpoint = endpointResource(a.networkId, { key: c.id, name: c.config.taskName, address: a.cidr, seed: c.config.taskName });
    const [ip, prefix] = a.cidr.split('/');
    out[a.name] = {
      IPAMConfig: { IPv4Address: ip },
      Links: null,
      Aliases: [c.id.slice(0, 12)],
      NetworkID: a.networkId,
      EndpointID: endpoint.EndpointID,
      Gateway: '',
      IPAddress: ip,
      IPPrefixLen: Number(prefix ?? 32),
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: endpoint.MacAddress,
      DriverOpts: null,
    };
  }
  return out;
}

/** NetworkSettings.Ports as docker port and docker inspect read it: "80/tcp" → where it is published. */
function portMap(details: ContainerDetails): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of details.ports) (out[`${p.PrivatePort}/${p.Type}`] ??= []).push({ HostIp: p.IP, HostPort: String(p.PublicPort) });
  return out;
}

/** HostConfig.NetworkMode: a task's "default", or what docker run was given. */
function networkMode(daemon: Daemon, c: Container): string {
  const network = daemon.standalone?.get(c.id)?.spec.network ?? 'default';
  return typeof network === 'object' ? network.swarm : network;
}

export function containerSummary(daemon: Daemon, c: Container, now: number) {
  const details = daemon.containerDetails(c.id);
  return {
    Id: c.id,
    Names: [`/${c.config.taskName}`],
    Image: c.config.image,
    ImageID: imageId(c.config.image),
    Command: [c.path, ...c.processArgs].join(' '),
    Created: createdSeconds(c),
    Ports: details.ports,
    Labels: c.labels,
    State: c.status().state,
    Status: statusText(c, details.health, now),
    HostConfig: { NetworkMode: networkMode(daemon, c) },
    NetworkSettings: { Networks: networks(c, details) },
    Mounts: c.mounts,
  };
}

/** GET /containers/json filters: id, name, label (key or key=value), status. */
function matchesFilters(c: Container, filters: Record<string, string[]>): boolean {
  const any = (key: string, test: (v: string) => boolean) => !filters[key]?.length || filters[key]!.some(test);
  return (
    any('id', (v) => c.id.startsWith(v)) &&
    any('name', (v) => c.config.taskName.includes(v.replace(/^\//, ''))) &&
    any('status', (v) => v === c.status().state) &&
    (filters.label ?? []).every((v) => {
      const [k, ...rest] = v.split('=');
      return rest.length === 0 ? k! in c.labels : c.labels[k!] === rest.join('=');
    })
  );
}

function parseFilters(text: string | null): Record<string, string[]> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid filter');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'invalid filter');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    // Both encodings the CLI has used: {"label":{"a=b":true}} and {"label":["a=b"]}.
    out[k] = Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [];
  }
  for (const key of Object.keys(out)) {
    if (!['id', 'name', 'label', 'status'].includes(key)) throw new ApiError(400, `invalid filter '${key}'`);
  }
  return out;
}

function inspect(daemon: Daemon, c: Container) {
  const st = c.status();
  const details = daemon.containerDetails(c.id);
  const run = daemon.standalone?.get(c.id)?.spec;
  return {
    Id: c.id,
    Created: st.startedAt ?? new Date().toISOString(),
    Path: c.path,
    Args: c.processArgs,
    State: {
      Status: st.state,
      Running: st.state === 'running',
      Paused: false,
      Restarting: daemon.standalone?.restarting(c.id) ?? false,
      OOMKilled: false,
      Dead: false,
      Pid: st.pid,
      ExitCode: st.exitCode ?? 0,
      Error: st.error ?? '',
      StartedAt: st.startedAt ?? ZERO_TIME,
      FinishedAt: st.finishedAt ?? ZERO_TIME,
      ...(details.health ? { Health: details.health } : {}),
    },
    Image: imageId(c.config.image),
    Name: `/${c.config.taskName}`,
    RestartCount: daemon.standalone?.get(c.id)?.restartCount ?? 0,
    Driver: 'overlay2',
    Platform: 'linux',
    ExecIDs: null,
    HostConfig: {
      NetworkMode: networkMode(daemon, c),
      RestartPolicy: { Name: run?.restart.name ?? 'no', MaximumRetryCount: run?.restart.maxRetries ?? 0 },
      AutoRemove: run?.autoRemove ?? false,
      Privileged: false,
      ReadonlyRootfs: c.config.readOnlyRoot ?? false,
    },
    Mounts: c.mounts,
    Config: {
      Hostname: c.hostname,
      Domainname: '',
      User: c.config.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.config.tty ?? false,
      OpenStdin: run?.openStdin ?? false,
      StdinOnce: false,
      Env: c.configEnv,
      Cmd: c.config.args ?? null,
      Image: c.config.image,
      Volumes: null,
      WorkingDir: c.config.dir ?? '',
      Entrypoint: c.config.command ?? null,
      OnBuild: null,
      Labels: c.labels,
    },
    NetworkSettings: { Ports: portMap(details), Networks: networks(c, details) },
  };
}

/** GET /containers/{id}/logs (docker logs): the container's lines, framed unless it has a TTY; `follow` keeps the answer open. */
async function containerLogs(c: Container, req: Request, res: ServerResponse): Promise<void> {
  const stdout = boolQuery(req.query, 'stdout');
  const stderr = boolQuery(req.query, 'stderr');
  if (!stdout && !stderr) throw new ApiError(400, 'Bad parameters: you must choose at least one stream');
  const tail = req.query.get('tail');
  const since = Number(req.query.get('since') ?? 0);
  const timestamps = boolQuery(req.query, 'timestamps');
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'Content-Type': c.config.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
  const lines = c.logs({
    follow: boolQuery(req.query, 'follow'),
    tail: tail && tail !== 'all' && /^\d+$/.test(tail) ? Number(tail) : undefined,
    since: since > 0 ? since * 1000 : undefined,
    signal: abort.signal,
  });
  try {
    for await (const l of lines) {
      if ((l.stream === 'stdout' && !stdout) || (l.stream === 'stderr' && !stderr)) continue;
      const text = `${timestamps ? `${l.time} ` : ''}${l.line}\n`;
      res.write(c.config.tty ? text : streamFrame(l.stream, text));
    }
  } catch {
    // The client went away (follow), or the container was removed: the stream ends.
  }
  if (!res.writableEnded) res.end();
}

/**
 * docker top: the container's process as ps shows it (-ef, the default, or aux). The emulated
 * container runs its programs inside the node's process, which stands where containerd's shim
 * would: the parent.
 */
function top(c: Container, psArgs: string | null) {
  const st = c.status();
  if (st.state !== 'running') throw new ApiError(409, `container ${c.id} is not running`);
  const started = new Date(st.startedAt ?? Date.now());
  const stime = `${String(started.getUTCHours()).padStart(2, '0')}:${String(started.getUTCMinutes()).padStart(2, '0')}`;
  const command = [c.path, ...c.processArgs].join(' ');
  if (psArgs === 'aux') {
    return {
      Titles: ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'],
      Processes: [['root', String(st.pid), '0.0', '0.0', '0', '0', '?', 'Ss', stime, '0:00', command]],
    };
  }
  if (psArgs && psArgs !== '-ef') throw new ApiError(500, `ps: unsupported options here: ${psArgs} (use -ef or aux)`);
  return { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', String(st.pid), String(process.pid), '0', stime, '?', '00:00:00', command]] };
}

export function containerRoutes(r: Router, daemon: Daemon, execs: ExecSessions): void {
  r.on('GET', '/containers/json', (req) => {
    const filters = parseFilters(req.query.get('filters'));
    const all = boolQuery(req.query, 'all');
    const now = Date.now();
    return daemon
      .containers()
      .filter((c) => (all || c.status().state === 'running') && matchesFilters(c, filters))
      .sort((a, b) => createdSeconds(b) - createdSeconds(a))
      .map((c) => containerSummary(daemon, c, now));
  });
  r.on('GET', '/containers/{id}/json', (req) => inspect(daemon, findContainer(daemon, req.params.id!)));
  r.on('GET', '/containers/{id}/logs', (req, res) => containerLogs(findContainer(daemon, req.params.id!), req, res));
  r.on('GET', '/containers/{id}/top', (req) => top(findContainer(daemon, req.params.id!), req.query.get('ps_args')));
  // A task's container stopped, killed or removed under Swarm's feet: its task fails or completes
  // and the orchestrator replaces it, as on a real node.
  r.on('POST', '/containers/{id}/kill', async (req, res) => {
    const c = findContainer(daemon, req.params.id!);
    if (c.status().state !== 'running') throw new ApiError(409, `cannot kill container: ${req.params.id}: container ${c.id} is not running`);
    daemon.standalone?.stoppedByUser(c.id);
    await c.kill();
    noContent(res, 204);
  });
  r.on('POST', '/containers/{id}/stop', async (req, res) => {
    const c = findContainer(daemon, req.params.id!);
    daemon.standalone?.stoppedByUser(c.id);
    if (c.status().state !== 'running') return noContent(res, 304);
    await c.stop(stopTimeoutMs(req.query, daemon.timingScale));
    noContent(res, 204);
  });
  r.on('DELETE', '/containers/{id}', async (req, res) => {
    const c = findContainer(daemon, req.params.id!);
    if (c.status().state === 'running' && !boolQuery(req.query, 'force')) {
      throw new ApiError(409, `cannot remove container "/${c.config.taskName}": container is running: stop the container before removing or force remove`);
    }
    await c.remove();
    noContent(res, 204);
  });
  r.on('POST', '/containers/{id}/exec', async (req, res) => {
    const container = findContainer(daemon, req.params.id!);
    const body = await jsonBody<ExecOptions>(req, GO_EXEC_OPTIONS);
    sendJson(res, 201, { Id: execs.create(container, body).id });
  });
  r.on('GET', '/exec/{id}/json', (req) => execs.inspect(execs.get(req.params.id!)));
  r.on('POST', '/exec/{id}/resize', (req) => {
    execs.get(req.params.id!);
    return undefined;
  });
  // Not hijacked: detached, or the output in the response body.
  r.on('POST', '/exec/{id}/start', async (req, res) => {
    const body = await jsonBody<{ Detach?: boolean }>(req, GO_EXEC_START_OPTIONS);
    const s = execs.start(req.params.id!);
    if (body.Detach === true) {
      void execs.run(s, '', () => undefined);
      return undefined;
    }
    res.writeHead(200, { 'Content-Type': s.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
    await execs.run(s, '', outputWriter(s.tty, (chunk) => res.write(chunk)));
    res.end();
  });
}
