// Redirections of one command: < > >> >| &> n>&m n>&- into the container's files (/dev/null,
// /dev/stdout and /dev/stderr as the devices they are), applied left to right as sh does.

import { emptyStdin, StdinBuffer, type Stdin } from '../process.js';
import { errnoMessage } from '../rootfs.js';
import { expandString } from './expand.js';
import type { Word } from './lexer.js';
import type { Redirect } from './parser.js';
import type { Io, Shell } from './interpreter.js';

/** The io for a command with its redirections; undefined (after reporting) when one fails. */
export async function applyRedirects(sh: Shell, redirects: Redirect[], io: Io, line: number): Promise<{ io: Io; flush: () => Promise<void> } | undefined> {
  if (redirects.length === 0) return { io, flush: async () => undefined };
  const fds: { 0: Stdin; 1: (t: string) => void; 2: (t: string) => void } = { 0: io.stdin, 1: io.out, 2: io.err };
  const pending: Promise<unknown>[] = [];
  const host = sh.expandHost(io, line);
  for (const r of redirects) {
    const target = await expandString(r.target as Word, host);
    const fd = r.fd ?? (r.op === '<' || r.op === '<&' || r.op === '<>' ? 0 : 1);
    if (r.op === '>&' || r.op === '<&') {
      if (target === '-') {
        if (fd === 1 || fd === 2) fds[fd] = () => undefined;
        continue;
      }
      const src = Number(target);
      if ((fd === 1 || fd === 2) && (src === 1 || src === 2)) fds[fd] = fds[src];
      else if (fd === 0 && src === 0) continue;
      else {
        io.err(`${sh.prefix(line)}${target}: bad file descriptor\n`);
        return undefined;
      }
      continue;
    }
    if (r.op === '<' || r.op === '<>') {
      if (target === '/dev/null') {
        fds[0] = emptyStdin();
        continue;
      }
      try {
        fds[0] = new StdinBuffer((await sh.proc.sys.fs.readFile(target, sh.cwd)).toString('utf8'));
      } catch (e) {
        io.err(sh.dialect === 'ash' ? `${sh.prefix(line)}can't open '${target}': ${errnoMessage(e)}\n` : `${sh.prefix(line)}cannot open ${target}: ${errnoMessage(e)}\n`);
        return undefined;
      }
      continue;
    }
    // > >> >| &>
    const writer = await fileWriter(sh, target, r.op === '>>', pending, io, line);
    if (!writer) return undefined;
    if (r.op === '&>') {
      fds[1] = writer;
      fds[2] = writer;
    } else if (fd === 1 || fd === 2) fds[fd] = writer;
  }
  return {
    io: { stdin: fds[0], out: fds[1], err: fds[2] },
    flush: async () => {
      await Promise.allSettled(pending);
    },
  };
}

async function fileWriter(sh: Shell, target: string, append: boolean, pending: Promise<unknown>[], io: Io, line: number): Promise<((t: string) => void) | undefined> {
  if (target === '/dev/null') return () => undefined;
  if (target === '/dev/stdout') return io.out;
  if (target === '/dev/stderr') return io.err;
  const fs = sh.proc.sys.fs;
  try {
    if (!append) await fs.writeFile(target, '', sh.cwd);
    else if (!(await fs.exists(target, sh.cwd))) await fs.writeFile(target, '', sh.cwd);
  } catch (e) {
    io.err(sh.dialect === 'ash' ? `${sh.prefix(line)}can't create ${target}: ${errnoMessage(e)}\n` : `${sh.prefix(line)}cannot create ${target}: ${errnoMessage(e)}\n`);
    return undefined;
  }
  // Appends are chained so the file gets the writes in order.
  let chain: Promise<unknown> = Promise.resolve();
  const cwd = sh.cwd;
  return (t: string) => {
    chain = chain.then(() => fs.writeFile(target, t, cwd, true)).catch(() => undefined);
    pending.push(chain);
  };
}
