// redis-cli [-h host] [-p port] [command args…]: one command (or one per stdin line) over a
// real TCP connection, replies printed as redis-cli prints them when stdout is not a terminal.

import type { Duplex } from 'node:stream';
import { readAllStdin, type Program } from '../../process.js';
import { connectFailure } from '../coreutils/common.js';
import { encodeCommand, splitInline } from './resp.js';

type Parsed = string | number | null | Error | Parsed[];

/** Parses one reply from `buf` at `pos`; undefined when incomplete. */
function parseReply(buf: Buffer, pos: number): { value: Parsed; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd === -1) return undefined;
  const line = buf.subarray(pos + 1, lineEnd).toString('utf8');
  const next = lineEnd + 2;
  switch (String.fromCharCode(buf[pos]!)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.subarray(next, next + len).toString('utf8'), end: next + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const items: Parsed[] = [];
      let p = next;
      for (let k = 0; k < n; k++) {
        const item = parseReply(buf, p);
        if (!item) return undefined;
        items.push(item.value);
        p = item.end;
      }
      return { value: items, end: p };
    }
    default:
      return { value: new Error('Protocol error'), end: buf.length };
  }
}

function format(v: Parsed): string {
  if (v === null) return '';
  if (v instanceof Error) return `(error) ${v.message}`;
  if (Array.isArray(v)) return v.map(format).join('\n');
  return String(v);
}

export const redisCli: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let host = '127.0.0.1';
  let port = 6379;
  const command: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (command.length === 0 && a === '-h') host = args[++i] ?? host;
    else if (command.length === 0 && a === '-p') port = Number(args[++i]);
    else if (command.length === 0 && a === '--no-auth-warning') continue;
    else command.push(a);
  }
  const commands = command.length ? [command] : (await readAllStdin(proc)).split('\n').map(splitInline).filter((c) => c.length > 0);
  const address = await proc.sys.resolve(host);
  if (!address) {
    proc.out(`Could not connect to Redis at ${host}:${port}: Name or service not known\n`);
    return 1;
  }
  const refused = (e: NodeJS.ErrnoException) => `Could not connect to Redis at ${host}:${port}: ${connectFailure(e) ?? e.message}\n`;
  let socket: Duplex;
  try {
    socket = await proc.sys.connect(address, port);
  } catch (e) {
    proc.out(refused(e as NodeJS.ErrnoException));
    return 1;
  }
  return new Promise<number>((resolve) => {
    let buf = Buffer.alloc(0);
    let answered = 0;
    let status = 0;
    if (commands.length > 0) socket.write(commands.map(encodeCommand).join(''));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = parseReply(buf, 0);
        if (!r) break;
        buf = buf.subarray(r.end);
        if (r.value instanceof Error) status = 1;
        proc.out(`${format(r.value)}\n`);
        if (++answered === commands.length) {
          socket.end();
          resolve(status);
          return;
        }
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      proc.out(refused(e));
      resolve(1);
    });
    socket.once('close', () => resolve(status));
    if (commands.length === 0) {
      socket.end();
      resolve(0);
    }
  });
};
