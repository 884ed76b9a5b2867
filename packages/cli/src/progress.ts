// Live progress for long commands: a spinner in a terminal, plain lines otherwise. With --json
// the lines go to stderr so stdout stays one JSON document.

import ora, { type Ora } from 'ora';
import type { Context } from './context.js';

export interface Progress {
  update(line: string): void;
  succeed(line: string): void;
  fail(line: string): void;
}

export function progress(ctx: Context, first: string, json: boolean): Progress {
  const stream = json ? ctx.stderr : ctx.stdout;
  // A terminal that reports no width (some pseudo-terminals) cannot redraw a spinner line.
  const columns = (stream as NodeJS.WriteStream).columns ?? 0;
  if (ctx.isTTY && !json && columns > 0) {
    const spinner: Ora = ora({ text: first, stream, discardStdin: false, isEnabled: true }).start();
    return {
      update: (line) => void (spinner.text = line),
      succeed: (line) => void spinner.succeed(line),
      fail: (line) => void spinner.fail(line),
    };
  }
  const write = (line: string) => stream.write(line + '\n');
  write(first);
  return { update: write, succeed: write, fail: write };
}
