// What an emulated program sees: its argv, environment, working directory, stdin, stdout and
// stderr, and the container it runs in. A program is an async function returning its exit code.

import type { ContainerSystem } from './system.js';

export type Signal = 'SIGTERM' | 'SIGQUIT' | 'SIGWINCH' | 'SIGINT' | 'SIGHUP';

export const SIGNAL_NUMBERS: Record<Signal, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15, SIGWINCH: 28 };

/** Exit code of a process ended by SIGKILL, as Docker reports it (128 + 9). */
export const EXIT_KILLED = 137;
/** A command that could not be found / executed (POSIX shells, runc). */
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/** Buffered input, read line by line or all at once; shared by the commands that inherit it. */
export class StdinBuffer {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** The next line without its newline; undefined at the end. */
  readLine(): string | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl === -1 ? this.text.length : nl;
    const line = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return line;
  }

  readAll(): string {
    const rest = this.text.slice(this.pos);
    this.pos = this.text.length;
    return rest;
  }
}

/** A process's stdin: buffered data, or a terminal nobody types into (reads block forever). */
export type Stdin = StdinBuffer | 'tty';

export function emptyStdin(): StdinBuffer {
  return new StdinBuffer('');
}

export interface Proc {
  readonly argv: string[];
  /** Exported variables; a child gets a copy. */
  readonly env: Map<string, string>;
  cwd: string;
  readonly stdin: Stdin;
  out(text: string): void;
  err(text: string): void;
  readonly sys: ContainerSystem;
  /** PID 1 of the container: the one docker stop signals. */
  readonly init: boolean;
  /**
   * Installs the handler for signals sent to this process. Without one, PID 1 ignores them,
   * as the kernel does for a namespace's init with default dispositions.
   */
  onSignal(handler: ((sig: Signal) => void) | undefined): void;
}

export type Program = (proc: Proc) => Promise<number>;

/** Thrown through a program when its container is killed: never caught as a command failure. */
export class ProcessKilled extends Error {
  constructor() {
    super('process killed');
    this.name = 'ProcessKilled';
  }
}

export function isKilled(e: unknown): e is ProcessKilled {
  return e instanceof ProcessKilled;
}

/** A child process of `parent` (same container, not PID 1, signals go nowhere). */
export function childProc(
  parent: Proc,
  argv: string[],
  io: { stdin?: Stdin; out?: (t: string) => void; err?: (t: string) => void; env?: Map<string, string>; cwd?: string } = {},
): Proc {
  return {
    argv,
    env: io.env ?? new Map(parent.env),
    cwd: io.cwd ?? parent.cwd,
    stdin: io.stdin ?? emptyStdin(),
    out: io.out ?? ((t) => parent.out(t)),
    err: io.err ?? ((t) => parent.err(t)),
    sys: parent.sys,
    init: false,
    onSignal: () => undefined,
  };
}

/** Reads all of stdin; a terminal never ends, so that waits until the container is killed. */
export async function readAllStdin(proc: Proc): Promise<string> {
  if (proc.stdin === 'tty') {
    await proc.sys.untilKilled();
    return '';
  }
  return proc.stdin.readAll();
}
