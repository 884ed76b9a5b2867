// The containers of this node's tasks, as `docker ps`, `docker inspect` and `docker exec` see them
// on a swarm node: GET /containers/json, GET /containers/{id}/json, POST /containers/{id}/exec,
// POST /exec/{id}/start (hijacked with `Upgrade: tcp`, as the CLI attaches, or answered in the
// body), GET /exec/{id}/json and POST /exec/{id}/resize. Shapes after
// ../shared/reference/real-swarm (api-containers-json.json, container-inspect-*.json).

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Daemon } from '../daemon/daemon.js';
import type { Container } from '../agent/exec/index.js';
import { ApiError } from '../errors.js';
import { GO_EXEC_OPTIONS, GO_EXEC_START_OPTIONS } from '@swarmlab/api';
import { boolQuery, jsonBody, sendJson, streamFrame, type Request, type Router } from './http.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

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

function statusText(c: Container, now: number): string {
  const st = c.status();
  if (st.state === 'running') return `Up ${humanDuration(now - Date.parse(st.startedAt ?? new Date(now).toISOString()))}`;
  if (st.state === 'exited') return `Exited (${st.exitCode ?? 0}) ${humanDuration(now - Date.parse(st.finishedAt ?? new Date(now).toISOString()))} ago`;
  return 'Created';
}

const imageId = (image: string) => `sha256:${createHash('sha256').update(image).digest('hex')}`;
const createdSeconds = (c: Container) => Math.floor(Date.parse(c.status().startedAt ?? new Date().toISOString()) / 1000);

/** The container of an ID, an unambiguous ID prefix or a name (with or without its leading slash). */
function findContainer(daemon: Daemon, ref: string): Container {
  const all = daemon.containers();
  const name = ref.replace(/^\//, '');
  const exact = all.find((c) => c.id === ref || c.config.taskName === name);
  if (exact) return exact;
  const byPrefix = ref.length > 0 ? all.filter((c) => c.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) throw new ApiError(400, `multiple IDs found with provided prefix: ${ref}`);
  throw new ApiError(404, `No such container: ${ref}`);
}

/** NetworkSettings.Networks: the task's overlay attachments, by network name. */
function networks(daemon: Daemon, c: Container) {
  const out: Record<string, unknown> = {};
  for (const a of daemon.containerAttachments(c.id)) {
    const [ip, prefix] = a.cidr.split('/');
    out[a.name] = {
      IPAMConfig: { IPv4Address: ip },
      Links: null,
      Aliases: [c.id.slice(0, 12)],
      NetworkID: a.networkId,
      EndpointID: createHash('sha256').update(`${c.id}/${a.networkId}`).digest('hex'),
      Gateway: '',
      IPAddress: ip,
      IPPrefixLen: Number(prefix ?? 32),
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      // Docker derives the MAC from the IPv4 address: 02:42 and its four bytes.
      MacAddress: ['02', '42', ...ip!.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':'),
      DriverOpts: null,
    };
  }
  return out;
}

function summary(daemon: Daemon, c: Container, now: number) {
  return {
    Id: c.id,
    Names: [`/${c.config.taskName}`],
    Image: c.config.image,
    ImageID: imageId(c.config.image),
    Command: [c.path, ...c.processArgs].join(' '),
    Created: createdSeconds(c),
    Ports: [],
    Labels: c.labels,
    State: c.status().state,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: networks(daemon, c) },
    Mounts: [],
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
  return {
    Id: c.id,
    Created: st.startedAt ?? new Date().toISOString(),
    Path: c.path,
    Args: c.processArgs,
    State: {
      Status: st.state,
      Running: st.state === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: st.pid,
      ExitCode: st.exitCode ?? 0,
      Error: st.error ?? '',
      StartedAt: st.startedAt ?? ZERO_TIME,
      FinishedAt: st.finishedAt ?? ZERO_TIME,
    },
    Image: imageId(c.config.image),
    Name: `/${c.config.taskName}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    ExecIDs: null,
    HostConfig: { NetworkMode: 'default', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, Privileged: false, ReadonlyRootfs: false },
    Mounts: [],
    Config: {
      Hostname: c.hostname,
      Domainname: '',
      User: c.config.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.config.tty ?? false,
      OpenStdin: false,
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
    NetworkSettings: { Networks: networks(daemon, c) },
  };
}

/** The fields of moby's container.ExecOptions used here. */
interface ExecOptions {
  Cmd?: string[] | null;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
}

interface ExecSession {
  id: string;
  container: Container;
  cmd: string[];
  env?: string[];
  user?: string;
  dir?: string;
  tty: boolean;
  attachStdin: boolean;
  running: boolean;
  started: boolean;
  exitCode: number | null;
}

/** How long an exec that finished stays inspectable (dockerd keeps them with the container). */
const EXEC_KEEP_MS = 10 * 60_000;

export class ExecSessions {
  private readonly sessions = new Map<string, ExecSession>();

  create(container: Container, body: ExecOptions): ExecSession {
    if (container.status().state !== 'running') throw new ApiError(409, `Container ${container.id} is not running`);
    if (!body.Cmd?.length) throw new ApiError(400, 'No exec command specified');
    const session: ExecSession = {
      id: randomBytes(32).toString('hex'),
      container,
      cmd: body.Cmd,
      env: body.Env ?? undefined,
      user: body.User || undefined,
      dir: body.WorkingDir || undefined,
      tty: body.Tty === true,
      attachStdin: body.AttachStdin === true,
      running: false,
      started: false,
      exitCode: null,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError(404, `No such exec instance: ${id}`);
    return s;
  }

  /** Runs the command once; output goes to `write` as it comes. */
  async run(s: ExecSession, stdin: string, write: (stream: 'stdout' | 'stderr', text: string) => void): Promise<number> {
    if (s.started) throw new ApiError(409, `Error: Exec command ${s.id} has already run`);
    s.started = true;
    s.running = true;
    try {
      const result = await s.container.exec(s.cmd, { env: s.env, user: s.user, dir: s.dir, stdin, onOutput: write });
      s.exitCode = result.exitCode;
      return result.exitCode;
    } catch (e) {
      s.exitCode = 126;
      write('stderr', `${e instanceof Error ? e.message : String(e)}\n`);
      return 126;
    } finally {
      s.running = false;
      setTimeout(() => this.sessions.delete(s.id), EXEC_KEEP_MS).unref();
    }
  }

  /**
   * `docker exec -it CONTAINER sh`: a prompt, and each line typed run as `sh -c LINE` in the
   * container, in the directory the last `cd` went to. The client's terminal is raw, so this end
   * is the terminal's line discipline: it echoes, erases on backspace, drops the line on ^C and
   * ends on ^D or `exit`.
   */
  async interactive(s: ExecSession, socket: Duplex): Promise<void> {
    if (s.started) return;
    s.started = true;
    s.running = true;
    let dir = s.dir ?? '/';
    let line = '';
    let busy = false;
    const write = (text: string) => socket.writable && socket.write(text.replace(/\r?\n/g, '\r\n'));
    const prompt = () => write(`${dir} # `);
    try {
      prompt();
      await new Promise<void>((resolve) => {
        let finished = false;
        const finish = (code: number) => {
          if (finished) return;
          finished = true;
          s.exitCode = code;
          socket.off('data', onData);
          resolve();
        };
        const runLine = async (text: string) => {
          const cd = /^\s*cd(?:\s+(\S+))?\s*$/.exec(text);
          const cmd = cd ? `cd ${cd[1] ?? '/root'} && pwd` : text;
          const result = await s.container.exec(['sh', '-c', cmd], { env: s.env, user: s.user, dir, onOutput: cd ? undefined : (_stream, t) => write(t) });
          if (cd) {
            if (result.exitCode === 0) dir = result.stdout.trim() || dir;
            else write(result.stderr);
          }
        };
        // What is typed while a line runs waits its turn, as type-ahead does.
        let pending = '';
        const pump = () => {
          while (!busy && pending.length > 0) {
            const ch = pending[0]!;
            pending = pending.slice(1);
            if (ch === '\x04' && line === '') return finish(0);
            if (ch === '\x03') {
              line = '';
              write('^C\n');
              prompt();
            } else if (ch === '\x7f' || ch === '\b') {
              if (line.length > 0) {
                line = line.slice(0, -1);
                write('\b \b');
              }
            } else if (ch === '\r' || ch === '\n') {
              write('\n');
              const text = line.trim();
              line = '';
              const exit = /^exit(?:\s+(\d+))?$/.exec(text);
              if (exit) return finish(Number(exit[1] ?? 0));
              if (text === '') {
                prompt();
                continue;
              }
              busy = true;
              void runLine(text).finally(() => {
                busy = false;
                prompt();
                pump();
              });
            } else if (ch >= ' ') {
              line += ch;
              write(ch);
            }
          }
        };
        const onData = (chunk: Buffer) => {
          pending += chunk.toString('latin1');
          pump();
        };
        socket.on('data', onData);
        socket.once('end', () => finish(0));
        socket.once('close', () => finish(0));
      });
    } finally {
      s.running = false;
      setTimeout(() => this.sessions.delete(s.id), EXEC_KEEP_MS).unref();
    }
  }

  inspect(s: ExecSession) {
    return {
      ID: s.id,
      Running: s.running,
      ExitCode: s.exitCode,
      ProcessConfig: { tty: s.tty, entrypoint: s.cmd[0], arguments: s.cmd.slice(1), privileged: false, ...(s.user ? { user: s.user } : {}) },
      OpenStdin: s.attachStdin,
      OpenStderr: true,
      OpenStdout: true,
      CanRemove: false,
      ContainerID: s.container.id,
      DetachKeys: '',
      Pid: s.running ? s.container.status().pid : 0,
    };
  }
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

/** A shell started without a command to run: `docker exec -it c sh` wants a prompt. */
function isShell(cmd: string[]): boolean {
  return cmd.length === 1 && /(^|\/)(sh|ash|bash)$/.test(cmd[0]!);
}

/** A TTY turns each line feed into CR LF (onlcr); the CLI's terminal is raw while it attaches. */
function outputWriter(tty: boolean, send: (chunk: Buffer | string) => void) {
  return (stream: 'stdout' | 'stderr', text: string) => send(tty ? text.replace(/\r?\n/g, '\r\n') : streamFrame(stream, text));
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
      .map((c) => summary(daemon, c, now));
  });
  r.on('GET', '/containers/{id}/json', (req) => inspect(daemon, findContainer(daemon, req.params.id!)));
  r.on('GET', '/containers/{id}/logs', (req, res) => containerLogs(findContainer(daemon, req.params.id!), req, res));
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
    const s = execs.get(req.params.id!);
    const body = await jsonBody<{ Detach?: boolean }>(req, GO_EXEC_START_OPTIONS);
    if (body.Detach === true) {
      void execs.run(s, '', () => undefined);
      return undefined;
    }
    res.writeHead(200, { 'Content-Type': s.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
    await execs.run(s, '', outputWriter(s.tty, (chunk) => res.write(chunk)));
    res.end();
  });
}

/**
 * POST /exec/{id}/start with `Upgrade: tcp` (the CLI's attach): 101, then the output on the bare
 * connection; what the client sends before closing its side is the command's stdin.
 */
export function hijackExecStart(execs: ExecSessions, id: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  let s: ExecSession;
  try {
    s = execs.get(id);
  } catch (e) {
    const err = e as ApiError;
    const body = JSON.stringify({ message: err.message });
    socket.end(`HTTP/1.1 ${err.statusCode} Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 1}\r\n\r\n${body}\n`);
    return;
  }
  const length = Number(req.headers['content-length'] ?? 0);
  let buffered = head;
  const start = () => {
    const stdinBytes = buffered.subarray(Math.min(length, buffered.length));
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${s.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream'}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
    );
    const send = outputWriter(s.tty, (chunk) => socket.writable && socket.write(chunk));
    if (s.tty && s.attachStdin && isShell(s.cmd)) {
      if (stdinBytes.length > 0) socket.unshift(stdinBytes);
      return void execs.interactive(s, socket).then(() => socket.end());
    }
    const run = (stdin: string) => void execs.run(s, stdin, send).then(() => socket.end());
    if (!s.attachStdin) return run('');
    // Stdin is read to its end first (the emulated programs read it whole).
    const chunks: Buffer[] = [stdinBytes];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => run(Buffer.concat(chunks).toString()));
  };
  if (buffered.length >= length) return start();
  // The request's body ({"Detach":false,"Tty":…}) may arrive after the headers.
  const onData = (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    if (buffered.length < length) return;
    socket.off('data', onData);
    start();
  };
  socket.on('data', onData);
}
