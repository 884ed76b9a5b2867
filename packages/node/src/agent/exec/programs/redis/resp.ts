// The Redis protocol (RESP2): request parsing — multibulk arrays and inline commands, fed in
// arbitrary chunks — and reply encoding.

export type Reply =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: number }
  | { t: 'bulk'; v: string | null }
  | { t: 'array'; v: Reply[] | null };

export const ok: Reply = { t: 'simple', v: 'OK' };
export const nil: Reply = { t: 'bulk', v: null };
export const bulk = (v: string | null): Reply => ({ t: 'bulk', v });
export const int = (v: number): Reply => ({ t: 'int', v });
export const err = (v: string): Reply => ({ t: 'error', v });

export function encodeReply(r: Reply): string {
  switch (r.t) {
    case 'simple':
      return `+${r.v}\r\n`;
    case 'error':
      return `-${r.v}\r\n`;
    case 'int':
      return `:${r.v}\r\n`;
    case 'bulk':
      return r.v === null ? '$-1\r\n' : `$${Buffer.byteLength(r.v)}\r\n${r.v}\r\n`;
    case 'array':
      return r.v === null ? '*-1\r\n' : `*${r.v.length}\r\n${r.v.map(encodeReply).join('')}`;
  }
}

export function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

export class ProtocolError extends Error {}

const MAX_BULK = 512 * 1024 * 1024;

/** Accumulates bytes and yields complete commands (argument lists). */
export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.buf[0] === 0x2a /* * */ ? this.multibulk() : this.inline();
      if (!parsed) break;
      this.buf = this.buf.subarray(parsed.consumed);
      if (parsed.args.length > 0) commands.push(parsed.args);
    }
    return commands;
  }

  private inline(): { args: string[]; consumed: number } | undefined {
    const nl = this.buf.indexOf('\n');
    if (nl === -1) {
      if (this.buf.length > 64 * 1024) throw new ProtocolError('Protocol error: too big inline request');
      return undefined;
    }
    const line = this.buf.subarray(0, nl).toString('utf8').replace(/\r$/, '');
    return { args: splitInline(line), consumed: nl + 1 };
  }

  private multibulk(): { args: string[]; consumed: number } | undefined {
    let pos = 0;
    const readLine = (): string | undefined => {
      const end = this.buf.indexOf('\r\n', pos);
      if (end === -1) return undefined;
      const line = this.buf.subarray(pos, end).toString('utf8');
      pos = end + 2;
      return line;
    };
    const header = readLine();
    if (header === undefined) return undefined;
    const count = Number(header.slice(1));
    if (!Number.isInteger(count) || count > 1024 * 1024) throw new ProtocolError('Protocol error: invalid multibulk length');
    const args: string[] = [];
    for (let k = 0; k < count; k++) {
      const lenLine = readLine();
      if (lenLine === undefined) return undefined;
      if (lenLine[0] !== '$') throw new ProtocolError(`Protocol error: expected '$', got '${lenLine[0] ?? ' '}'`);
      const len = Number(lenLine.slice(1));
      if (!Number.isInteger(len) || len < 0 || len > MAX_BULK) throw new ProtocolError('Protocol error: invalid bulk length');
      if (this.buf.length < pos + len + 2) return undefined;
      args.push(this.buf.subarray(pos, pos + len).toString('utf8'));
      pos += len + 2;
    }
    return { args, consumed: pos };
  }
}

/** Inline commands split like redis's sdssplitargs: spaces, "double" and 'single' quotes. */
export function splitInline(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let cur = '';
    const q = line[i] === '"' || line[i] === "'" ? line[i++] : undefined;
    while (i < line.length) {
      const c = line[i]!;
      if (q) {
        if (c === '\\' && q === '"' && i + 1 < line.length) {
          const n = line[++i]!;
          cur += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        } else if (c === q) {
          i++;
          break;
        } else cur += c;
      } else if (c === ' ' || c === '\t') break;
      else cur += c;
      i++;
    }
    args.push(cur);
  }
  return args;
}
