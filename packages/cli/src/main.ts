#!/usr/bin/env -S node --import tsx
// `swarmlab …`: `pnpm swarmlab <command>` from the repo root, or `swarmlab` when linked globally.

import { runCli } from './cli.js';
import type { Context } from './context.js';

// `swarmlab logs m1 | head`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
}

const abort = new AbortController();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // First Ctrl-C: let the command stop cleanly (followers end, `up` cancels); second: now.
    if (interrupted) process.exit(130);
    interrupted = true;
    abort.abort();
  });
}

const ctx: Context = {
  home: process.env.SWARMLAB_HOME,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  signal: abort.signal,
  exitCode: 0,
};

const code = await runCli(process.argv.slice(2), ctx);
process.exit(interrupted && code === 0 ? 0 : code);
