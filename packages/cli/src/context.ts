// Everything a command touches outside itself: where clusters live, where output goes, whether it
// is a terminal, and a signal for Ctrl-C. main.ts builds it from the process; tests build their own.

import type { Writable } from 'node:stream';

export interface Context {
  /** SWARMLAB_HOME (undefined: the default, ~/.swarmlab). */
  home: string | undefined;
  stdout: Writable;
  stderr: Writable;
  /** Whether stdout is a terminal (live progress, colours). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C / SIGTERM: followers stop, `up` cancels. */
  signal: AbortSignal;
  /** Set by commands that pass another program's exit status on (`swarmlab docker`). */
  exitCode: number;
}

export function out(ctx: Context, text = ''): void {
  ctx.stdout.write(text + '\n');
}

export function printJson(ctx: Context, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
