// One emulated container: created (files laid out) → running (its PID 1 program) → exited (with
// the program's status, 137 when killed). Stopping sends the image's STOPSIGNAL to PID 1 and
// kills after the timeout, as `docker stop` does; every socket and timer of the container is
// closed before the exit is reported.

import { rm } from 'node:fs/promises';
import { toDockerTime } from '../../clock.js';
import { envMap, mergeEnv } from './environment.js';
import { ContainerStartError, ContainerStateError } from './errors.js';
import type { ImageDefinition } from './images/catalog.js';
import { LogStore } from './log-store.js';
import { emptyStdin, StdinBuffer, isKilled, EXIT_KILLED, EXIT_NOT_FOUND, SIGNAL_NUMBERS, type Proc, type Program, type Signal, type Stdin } from './process.js';
import { InteractiveShell } from './shell/interactive.js';
import type { Dialect } from './shell/interpreter.js';
import type { ContainerSystem } from './system.js';
import type { Container, ContainerConfig, ContainerMount, ContainerState, ContainerStatus, ExecOptions, ExecResult, InitInput, LogLine, LogOptions, RuntimeLog } from './types.js';

export interface ContainerParts {
  id: string;
  config: ContainerConfig;
  hostname: string;
  env: string[];
  configEnv: string[];
  labels: Record<string, string>;
  mounts: ContainerMount[];
  argv: string[];
  image: ImageDefinition;
  workingDir: string;
  /** A fresh system (sockets, timers) for each run of PID 1: a stopped standalone container may start again. */
  newSystem: () => ContainerSystem;
  logs: LogStore;
  now: () => number;
  toReal: (ms: number) => number;
  allocatePid: () => number;
  log?: RuntimeLog;
  onExit: (c: EmulatedContainer, exitCode: number) => void;
  onRemove: (c: EmulatedContainer) => void;
  /** Its lifecycle as `docker events` shows it: start, kill, die, stop, destroy. */
  onEvent: (c: EmulatedContainer, action: string, attributes?: Record<string, string>) => void;
}

/** docker stop's default grace period. */
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export class EmulatedContainer implements Container {
  readonly id: string;
  readonly config: ContainerConfig;
  readonly hostname: string;
  readonly env: string[];
  readonly configEnv: string[];
  readonly labels: Record<string, string>;
  readonly path: string;
  readonly processArgs: string[];
  readonly mounts: ContainerMount[];

  private state: ContainerState = 'created';
  private exitCode: number | undefined;
  private pid = 0;
  private startedAt: string | undefined;
  private finishedAt: string | undefined;
  private error: string | undefined;
  private signalHandler: ((sig: Signal) => void) | undefined;
  private finishing: Promise<void> | undefined;
  private removed = false;
  private system: ContainerSystem;
  private exited: Promise<number>;
  private resolveExited!: (code: number) => void;
  private readonly gone: Promise<void>;
  private resolveGone!: () => void;

  constructor(private readonly p: ContainerParts) {
    this.id = p.id;
    this.config = p.config;
    this.hostname = p.hostname;
    this.env = p.env;
    this.configEnv = p.configEnv;
    this.labels = p.labels;
    this.mounts = p.mounts;
    this.path = p.argv[0] ?? '';
    this.processArgs = p.argv.slice(1);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.gone = new Promise((resolve) => (this.resolveGone = resolve));
    this.system = p.newSystem();
  }

  status(): ContainerStatus {
    return {
      id: this.id,
      state: this.state,
      exitCode: this.exitCode,
      pid: this.state === 'running' ? this.pid : 0,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      error: this.error,
    };
  }

  /**
   * Starts PID 1 (with what an attached client gives it: see InitInput); resolves once its
   * start-up binds are done. Throws runc's error if it cannot exec.
   */
  async start(input: InitInput = {}): Promise<void> {
    if (this.removed) throw new ContainerStateError(`No such container: ${this.id}`);
    if (this.state === 'running') return;
    if (this.state === 'exited') {
      // A swarm task's container never runs twice: the orchestrator makes a new task.
      if (this.config.taskId) throw new ContainerStateError(`container ${this.id} has exited; swarm tasks are not restarted in place`);
      this.rearm();
    }
    const argv = this.p.argv;
    const program = this.p.image.fixedInit ?? (argv.length > 0 ? this.p.image.lookup(argv[0]!) : undefined);
    if (!program) {
      const message =
        argv.length === 0
          ? 'No command specified'
          : argv[0]!.includes('/')
            ? `OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": stat ${argv[0]}: no such file or directory: unknown`
            : `OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`;
      this.error = message;
      this.exitCode = argv.length === 0 ? undefined : EXIT_NOT_FOUND;
      this.p.log?.('warn', 'container failed to start', { containerId: this.id, taskId: this.config.taskId, error: message });
      throw new ContainerStartError(message);
    }
    this.state = 'running';
    this.pid = this.p.allocatePid();
    this.startedAt = toDockerTime(this.p.now());
    this.p.onEvent(this, 'start');
    this.runInit(program, argv, input);
    await this.system.listensSettled();
  }

  /** An exited container made ready to run PID 1 again, its files and log kept (docker start, restart). */
  private rearm(): void {
    this.system = this.p.newSystem();
    this.p.logs.reopen();
    this.finishing = undefined;
    this.exitCode = undefined;
    this.error = undefined;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  private runInit(program: Program, argv: string[], input: InitInput): void {
    const tty = this.config.tty === true;
    // A terminal turns "\n" into "\r\n" and merges stderr into the one stream.
    const write = (stream: 'stdout' | 'stderr') => (t: string) => {
      if (this.state === 'running') this.p.logs.write(tty ? 'stdout' : stream, tty ? t.replace(/\r?\n/g, '\r\n') : t);
    };
    const init = (stdin: Proc['stdin']): Proc => ({
      argv,
      env: envMap(this.env),
      cwd: this.p.workingDir,
      stdin,
      out: write('stdout'),
      err: write('stderr'),
      sys: this.system,
      init: true,
      onSignal: (h) => (this.signalHandler = h),
    });
    let result: Promise<number>;
    try {
      const shell = tty && input.terminal && argv.length === 1 ? this.shellFor(argv[0]!, init('tty')) : undefined;
      if (shell && input.terminal) result = input.terminal(shell, (t) => write('stdout')(t));
      else if (input.stdin) result = input.stdin.then((text) => program(init(new StdinBuffer(text))));
      else result = program(init(tty ? 'tty' : emptyStdin()));
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (code) => void this.finish(normalizeExitCode(code)),
      (e: unknown) => {
        if (!isKilled(e)) {
          this.p.log?.('error', 'emulated program failed', { containerId: this.id, program: argv[0], error: (e as Error).message });
          write('stderr')(`${argv[0]}: ${(e as Error).message}\n`);
        }
        void this.finish(isKilled(e) ? EXIT_KILLED : 1);
      },
    );
  }

  /** Closes everything the container opened, then records the exit (once). */
  private finish(code: number): Promise<void> {
    this.finishing ??= (async () => {
      try {
        await this.system.teardown();
      } catch (e) {
        this.p.log?.('warn', 'container teardown failed', { containerId: this.id, error: (e as Error).message });
      }
      this.p.logs.close();
      this.state = 'exited';
      this.exitCode = code;
      this.finishedAt = toDockerTime(this.p.now());
      this.signalHandler = undefined;
      this.resolveExited(code);
      this.p.onEvent(this, 'die', { exitCode: String(code) });
      this.p.onExit(this, code);
    })();
    return this.finishing;
  }

  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    if (this.state !== 'running') return;
    const handler = this.signalHandler;
    this.p.onEvent(this, 'kill', { signal: String(SIGNAL_NUMBERS[this.p.image.stopSignal]) });
    if (handler) {
      try {
        handler(this.p.image.stopSignal);
      } catch (e) {
        this.p.log?.('warn', 'stop signal handler failed', { containerId: this.id, error: (e as Error).message });
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), Math.max(0, this.p.toReal(timeoutMs)));
    });
    const exitedFirst = await Promise.race([this.exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (exitedFirst) await this.kill();
    await this.exited;
    this.p.onEvent(this, 'stop');
  }

  async kill(): Promise<void> {
    if (this.state !== 'running') {
      await this.finishing;
      return;
    }
    this.p.onEvent(this, 'kill', { signal: '9' });
    await this.finish(EXIT_KILLED);
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    if (this.state === 'running') await this.kill();
    this.removed = true;
    this.p.logs.close();
    await this.system.teardown();
    await rm(this.config.rootDir, { recursive: true, force: true });
    this.p.onEvent(this, 'destroy');
    this.p.onRemove(this);
    this.resolveGone();
  }

  wait(): Promise<number> {
    return this.exited;
  }

  untilRemoved(): Promise<void> {
    return this.gone;
  }

  logs(opts?: LogOptions): AsyncIterable<LogLine> {
    return this.p.logs.read(opts);
  }

  async exec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const program = this.execProgram(cmd);
    if (!program) {
      const stderr = notFound(cmd[0]!);
      opts.onOutput?.('stderr', stderr);
      return { exitCode: EXIT_NOT_FOUND, stdout: '', stderr };
    }
    let stdout = '';
    let stderr = '';
    const proc = this.execProc(cmd, opts, opts.stdin ? new StdinBuffer(opts.stdin) : emptyStdin(), {
      out: (t) => {
        stdout += t;
        opts.onOutput?.('stdout', t);
      },
      err: (t) => {
        stderr += t;
        opts.onOutput?.('stderr', t);
      },
    });
    try {
      const exitCode = normalizeExitCode(await program(proc));
      return { exitCode, stdout, stderr };
    } catch (e) {
      if (isKilled(e)) return { exitCode: EXIT_KILLED, stdout, stderr };
      const failure = `${cmd[0]}: ${(e as Error).message}\n`;
      opts.onOutput?.('stderr', failure);
      return { exitCode: 1, stdout, stderr: `${stderr}${failure}` };
    }
  }

  interactiveShell(shell: string, opts: Omit<ExecOptions, 'stdin' | 'onOutput'> = {}): InteractiveShell | string {
    if (!this.execProgram([shell])) return notFound(shell);
    // Output goes where each line's writer sends it (InteractiveShell.runLine).
    return this.shellFor(shell, this.execProc([shell], opts, 'tty', { out: () => undefined, err: () => undefined })) ?? notFound(shell);
  }

  /** The interactive form of a shell program the image has, run as `proc`; undefined for anything else. */
  private shellFor(shell: string, proc: Proc): InteractiveShell | undefined {
    const name = shell.slice(shell.lastIndexOf('/') + 1);
    if (!/^(sh|ash|bash|dash)$/.test(name) || !this.p.image.lookup(shell)) return undefined;
    const dialect: Dialect = name === 'bash' ? 'bash' : name === 'dash' ? 'dash' : name === 'ash' || this.p.image.userland === 'busybox' ? 'ash' : 'dash';
    return new InteractiveShell(proc, dialect, name, this.hostname);
  }

  /** The program a docker exec runs, once the container is running. */
  private execProgram(cmd: string[]): Program | undefined {
    if (this.state !== 'running') throw new ContainerStateError(`Container ${this.id} is not running`);
    if (cmd.length === 0) throw new ContainerStateError('No exec command specified');
    return this.p.image.lookup(cmd[0]!);
  }

  private execProc(cmd: string[], opts: Pick<ExecOptions, 'env' | 'dir'>, stdin: Stdin, io: Pick<Proc, 'out' | 'err'>): Proc {
    return {
      argv: cmd,
      env: envMap(mergeEnv(this.env, opts.env ?? [])),
      cwd: opts.dir ?? this.p.workingDir,
      stdin,
      ...io,
      sys: this.system,
      init: false,
      onSignal: () => undefined,
    };
  }
}

function notFound(command: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": executable file not found in $PATH: unknown\n`;
}

/** Exit statuses are one byte. */
function normalizeExitCode(code: number): number {
  return Number.isInteger(code) ? ((code % 256) + 256) % 256 : 1;
}
