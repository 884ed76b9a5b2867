// docker exec on a node (POST /containers/{id}/exec, /exec/{id}/start, GET /exec/{id}/json):
// the sessions dockerd keeps, the command's run with its output streamed, stdin, and the
// attached connection the CLI opens with `Upgrade: tcp`; `docker exec -it CONTAINER sh` gets an
// interactive shell.

import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Container, EngineEvent, InteractiveShell } from '../agent/exec/index.js';
import { containerEvent } from '../agent/exec/events.js';
import { ApiError } from '../errors.js';
import { streamFrame } from './http.js';
import { runTerminal } from './terminal.js';

/** The fields of moby's container.ExecOptions used here. */
export interface ExecOptions {
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

  /** `onEvent` gets what docker events shows: exec_create, exec_start (with the command) and exec_die. */
  constructor(private readonly onEvent: (ev: EngineEvent) => void = () => undefined) {}

  private event(s: ExecSession, action: string, extra: Record<string, string> = {}): void {
    this.onEvent(containerEvent(s.container, action, { execID: s.id, ...extra }));
  }

  /** The session's command has ended (its exit code is set). */
  private ended(s: ExecSession): void {
    s.running = false;
    this.event(s, 'exec_die', { exitCode: String(s.exitCode ?? 0) });
    this.forgetLater(s);
  }

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
    // One never started is forgotten too.
    this.forgetLater(session);
    this.event(session, `exec_create: ${session.cmd.join(' ')}`);
    return session;
  }

  get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError(404, `No such exec instance: ${id}`);
    return s;
  }

  /** The session of a start request; an exec runs once. */
  start(id: string): ExecSession {
    const s = this.get(id);
    if (s.started) throw new ApiError(409, `Error: Exec command ${s.id} has already run`);
    s.started = true;
    s.running = true;
    this.event(s, `exec_start: ${s.cmd.join(' ')}`);
    return s;
  }

  private forgetLater(s: ExecSession): void {
    setTimeout(() => {
      if (!s.running) this.sessions.delete(s.id);
    }, EXEC_KEEP_MS).unref();
  }

  /** Runs a started session's command; output goes to `write` as it comes. */
  async run(s: ExecSession, stdin: string, write: (stream: 'stdout' | 'stderr', text: string) => void): Promise<number> {
    try {
      const result = await s.container.exec(s.cmd, { env: s.env, user: s.user, dir: s.dir, stdin, onOutput: write });
      s.exitCode = result.exitCode;
      return result.exitCode;
    } catch (e) {
      s.exitCode = 126;
      write('stderr', `${e instanceof Error ? e.message : String(e)}\n`);
      return 126;
    } finally {
      this.ended(s);
    }
  }

  /** `docker exec -it CONTAINER sh`: an interactive shell whose state lasts from one line to the next (terminal.ts). */
  async interactive(s: ExecSession, socket: Duplex): Promise<void> {
    const write = (text: string) => socket.writable && socket.write(text.replace(/\r?\n/g, '\r\n'));
    let shell: InteractiveShell | string;
    try {
      shell = s.container.interactiveShell(s.cmd[0]!, { env: s.env, user: s.user, dir: s.dir });
    } catch (e) {
      shell = `${e instanceof Error ? e.message : String(e)}\n`;
    }
    if (typeof shell === 'string') {
      write(shell);
      s.exitCode = 127;
      this.ended(s);
      return;
    }
    try {
      s.exitCode = await runTerminal(shell, socket, write);
    } finally {
      this.ended(s);
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

/** A shell started without a command to run: `docker exec -it c sh` wants a prompt. */
export function isShell(cmd: string[]): boolean {
  return cmd.length === 1 && /(^|\/)(sh|ash|bash)$/.test(cmd[0]!);
}

/** A TTY turns each line feed into CR LF (onlcr); the CLI's terminal is raw while it attaches. */
export function outputWriter(tty: boolean, send: (chunk: Buffer | string) => void) {
  return (stream: 'stdout' | 'stderr', text: string) => send(tty ? text.replace(/\r?\n/g, '\r\n') : streamFrame(stream, text));
}

/** An error answer on a connection that asked to be upgraded, as dockerd sends it. */
export function refuseHijack(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify({ message: err.message });
  socket.end(`HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 1}\r\n\r\n${body}\n`);
}

/**
 * POST /exec/{id}/start with `Upgrade: tcp` (the CLI's attach): 101, then the output on the bare
 * connection; what the client sends before closing its side is the command's stdin.
 */
export function hijackExecStart(execs: ExecSessions, id: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  let s: ExecSession;
  try {
    s = execs.start(id);
  } catch (e) {
    return refuseHijack(socket, e as ApiError);
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
