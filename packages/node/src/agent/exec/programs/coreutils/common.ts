// Helpers shared by the small utilities: the program's name for messages, and which userland
// (busybox or GNU coreutils) words the errors.

import type { Proc } from '../../process.js';

export function progName(proc: Proc): string {
  const n = proc.argv[0] ?? '';
  return n.slice(n.lastIndexOf('/') + 1);
}

export function isBusybox(proc: Proc): boolean {
  return proc.sys.image.userland === 'busybox';
}

const CONNECT_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
};

/** strerror's words for a failed connect, as the C clients (busybox wget, redis-cli) print them; undefined for other errors. */
export function connectFailure(error: NodeJS.ErrnoException): string | undefined {
  return CONNECT_FAILURES[error.code ?? ''];
}

/** Writes "<prog>: <msg>" to stderr and returns `code`. */
export function fail(proc: Proc, msg: string, code = 1): number {
  proc.err(`${progName(proc)}: ${msg}\n`);
  return code;
}

/** Splits leading single-letter flags (-n, -la) from operands; `--` ends them. */
export function parseFlags(args: string[], withValue: string[] = []): { flags: Map<string, string | true>; operands: string[] } {
  const flags = new Map<string, string | true>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    // -abc, or -dVALUE / -d VALUE for flags that take a value.
    const valueAt = [...a].findIndex((ch, j) => j > 0 && withValue.includes(ch));
    const letters = valueAt === -1 ? a.slice(1) : a.slice(1, valueAt);
    if (/^-[A-Za-z0-9]/.test(a) && /^[A-Za-z0-9]*$/.test(letters)) {
      for (const f of letters) flags.set(f, true);
      if (valueAt !== -1) flags.set(a[valueAt]!, a.slice(valueAt + 1) || (args[++i] ?? ''));
      continue;
    }
    operands.push(a);
  }
  return { flags, operands };
}
