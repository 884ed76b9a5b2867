// Text utilities: echo, printf, cat, head, tail, wc, grep, seq, tee, sort, uniq, cut, tr.

import { readAllStdin, type Proc, type Program } from '../../process.js';
import { errnoMessage } from '../../rootfs.js';
import { fail, isBusybox, parseFlags } from './common.js';

/** Backslash escapes of echo -e and printf. `\c` stops output. */
function unescape(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\' };
    if (n in simple) out += simple[n];
    else if (n === 'c') return { text: out, stop: true };
    else if (n === '0' || /[1-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(n === '0' ? i + 1 : i))!;
      const digits = m?.[0] ?? '';
      out += String.fromCharCode(parseInt(digits || '0', 8));
      i += n === '0' ? digits.length : digits.length - 1;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
      if (m) {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += m[0].length;
      } else out += '\\x';
    } else out += `\\${n}`;
  }
  return { text: out, stop: false };
}

export const echo: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
    for (const f of args.shift()!.slice(1)) {
      if (f === 'n') newline = false;
      if (f === 'e') escapes = true;
      if (f === 'E') escapes = false;
    }
  }
  let text = args.join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  proc.out(newline ? `${text}\n` : text);
  return 0;
};

export const printf: Program = async (proc) => {
  const [format, ...args] = proc.argv.slice(1);
  if (format === undefined) return fail(proc, isBusybox(proc) ? 'usage: printf FORMAT [ARGUMENT...]' : 'missing operand', isBusybox(proc) ? 1 : 1);
  let status = 0;
  let out = '';
  let argIndex = 0;
  // The format is reused while arguments remain, as POSIX printf does.
  do {
    const start = argIndex;
    let stop = false;
    out += format.replace(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdiouxXcbfeEgG%])|\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g, (m, flags: string, width: string, prec: string, verb: string) => {
      if (stop) return '';
      if (m.startsWith('\\')) {
        const u = unescape(m);
        if (u.stop) stop = true;
        return u.text;
      }
      if (verb === '%') return '%';
      const arg = args[argIndex++] ?? '';
      let s: string;
      switch (verb) {
        case 's':
          s = prec !== undefined ? arg.slice(0, Number(prec)) : arg;
          break;
        case 'b': {
          const u = unescape(arg);
          if (u.stop) stop = true;
          s = u.text;
          break;
        }
        case 'c':
          s = arg.slice(0, 1);
          break;
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X': {
          let n = 0;
          if (arg !== '') {
            const parsed = /^[+-]?\d+$/.test(arg.trim()) ? Number(arg.trim()) : /^'./.test(arg) ? arg.codePointAt(1)! : NaN;
            if (Number.isNaN(parsed)) {
              proc.err(isBusybox(proc) ? `printf: invalid number '${arg}'\n` : `printf: '${arg}': expected a numeric value\n`);
              status = 1;
            } else n = parsed;
          }
          s = verb === 'o' ? n.toString(8) : verb === 'x' ? n.toString(16) : verb === 'X' ? n.toString(16).toUpperCase() : String(Math.trunc(n));
          if (flags?.includes('+') && n >= 0 && (verb === 'd' || verb === 'i')) s = `+${s}`;
          break;
        }
        default: {
          const n = Number(arg || 0);
          s = verb === 'f' ? n.toFixed(prec !== undefined ? Number(prec) : 6) : verb.toLowerCase() === 'e' ? n.toExponential(prec !== undefined ? Number(prec) : 6) : String(n);
        }
      }
      const w = width === '*' ? Number(args[argIndex++] ?? 0) : Number(width ?? 0);
      if (s.length < w) s = flags?.includes('-') ? s.padEnd(w) : flags?.includes('0') && verb !== 's' ? s.padStart(w, '0') : s.padStart(w);
      return s;
    });
    if (stop || argIndex === start) break;
  } while (argIndex < args.length);
  proc.out(out);
  return status;
};

/** Reads each operand (or stdin for none / "-"), reporting unreadable files as the userland does. */
async function readInputs(proc: Proc, operands: string[], each: (text: string, name: string) => void): Promise<number> {
  let status = 0;
  for (const name of operands.length ? operands : ['-']) {
    if (name === '-') {
      each(await readAllStdin(proc), name);
      continue;
    }
    try {
      each((await proc.sys.fs.readFile(name, proc.cwd)).toString('utf8'), name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const cmd = proc.argv[0]!.slice(proc.argv[0]!.lastIndexOf('/') + 1);
      if (isBusybox(proc)) proc.err(code === 'EISDIR' ? `${cmd}: read error: Is a directory\n` : `${cmd}: can't open '${name}': ${errnoMessage(e)}\n`);
      else proc.err(`${cmd}: ${name}: ${errnoMessage(e)}\n`);
      status = 1;
    }
  }
  return status;
}

export const cat: Program = async (proc) => {
  const { operands } = parseFlags(proc.argv.slice(1));
  return readInputs(proc, operands, (text) => proc.out(text));
};

/** head and tail's counts: -n N (lines, default 10), -c N (bytes), -f. */
function lineCount(args: string[]): { n: number; bytes: number | undefined; rest: string[]; follow: boolean } {
  let n = 10;
  let bytes: number | undefined;
  let follow = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c') bytes = Number(args[++i]);
    else if (/^-c\d+$/.test(a)) bytes = Number(a.slice(2));
    else if (a === '-n') n = Number(args[++i]);
    else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
    else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (a === '-f' || a === '-F') follow = true;
    else rest.push(a);
  }
  return { n, bytes, rest, follow };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export const head: Program = async (proc) => {
  const { n, bytes, rest } = lineCount(proc.argv.slice(1));
  return readInputs(proc, rest, (text) => {
    // -c N: the first N bytes.
    if (bytes !== undefined) return void proc.out(Buffer.from(text).subarray(0, bytes).toString());
    const lines = splitLines(text).slice(0, n);
    if (lines.length) proc.out(`${lines.join('\n')}\n`);
  });
};

export const tail: Program = async (proc) => {
  const { n, bytes, rest, follow } = lineCount(proc.argv.slice(1));
  const status = await readInputs(proc, rest, (text) => {
    if (bytes !== undefined) return void proc.out(bytes > 0 ? Buffer.from(text).subarray(-bytes).toString() : '');
    const lines = splitLines(text).slice(-n);
    if (lines.length && n > 0) proc.out(`${lines.join('\n')}\n`);
  });
  // `tail -f /dev/null`, the usual way to keep a container alive: nothing more ever arrives.
  if (follow) await proc.sys.untilKilled();
  return status;
};

export const wc: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const want = flags.size ? [...'lwc'].filter((f) => flags.has(f)) : ['l', 'w', 'c'];
  const rows: string[] = [];
  const status = await readInputs(proc, operands, (text, name) => {
    const counts: Record<string, number> = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: Buffer.byteLength(text) };
    const cols = want.map((f) => counts[f]!);
    const shown = want.length === 1 && name === '-' ? String(cols[0]) : cols.map((c) => String(c).padStart(want.length === 1 ? 1 : 7)).join(' ');
    rows.push(name === '-' ? shown : `${shown} ${name}`);
  });
  if (rows.length) proc.out(`${rows.join('\n')}\n`);
  return status;
};

export const grep: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1), ['e']);
  const pattern = (flags.get('e') as string | undefined) ?? operands.shift();
  if (pattern === undefined) return fail(proc, isBusybox(proc) ? 'usage: grep [-HhnlLoqvsrRiwFE] PATTERN [FILE]...' : 'Usage: grep [OPTION]... PATTERNS [FILE]...', 2);
  let re: RegExp;
  try {
    const source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : flags.has('E') ? pattern : basicToExtended(pattern);
    re = new RegExp(flags.has('w') ? `\\b(?:${source})\\b` : source, flags.has('i') ? 'i' : '');
  } catch {
    return fail(proc, `bad regex '${pattern}'`, 2);
  }
  let matched = 0;
  const many = operands.length > 1;
  const status = await readInputs(proc, operands, (text, name) => {
    splitLines(text).forEach((line, idx) => {
      if (re.test(line) === flags.has('v')) return;
      matched++;
      if (flags.has('q') || flags.has('c')) return;
      proc.out(`${many ? `${name}:` : ''}${flags.has('n') ? `${idx + 1}:` : ''}${line}\n`);
    });
  });
  if (flags.has('c')) proc.out(`${matched}\n`);
  if (status !== 0 && !flags.has('s')) return 2;
  return matched > 0 ? 0 : 1;
};

/** POSIX basic regular expressions: \( \) \{ \} \| are the operators, bare ones are literal. */
function basicToExtended(bre: string): string {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i]!;
    if (c === '\\' && i + 1 < bre.length) {
      const n = bre[++i]!;
      out += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else out += '(){}|+?'.includes(c) ? `\\${c}` : c;
  }
  return out;
}

export const seq: Program = async (proc) => {
  const nums = proc.argv.slice(1).filter((a) => !/^-[sw]/.test(a));
  const values = nums.map(Number);
  if (values.length === 0 || values.length > 3 || values.some((v) => Number.isNaN(v))) {
    const bad = nums.find((a) => Number.isNaN(Number(a)));
    return fail(proc, bad !== undefined ? (isBusybox(proc) ? `invalid number '${bad}'` : `invalid floating point argument: '${bad}'`) : 'missing operand');
  }
  const [first, step, last] = values.length === 1 ? [1, 1, values[0]!] : values.length === 2 ? [values[0]!, 1, values[1]!] : (values as [number, number, number]);
  if (step === 0) return fail(proc, 'invalid Zero increment value');
  const lines: string[] = [];
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) {
    lines.push(String(v));
    if (lines.length > 1_000_000) break;
  }
  if (lines.length) proc.out(`${lines.join('\n')}\n`);
  return 0;
};

export const tee: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const text = await readAllStdin(proc);
  proc.out(text);
  let status = 0;
  for (const f of operands) {
    try {
      await proc.sys.fs.writeFile(f, text, proc.cwd, flags.has('a'));
    } catch (e) {
      status = fail(proc, `${f}: ${errnoMessage(e)}`);
    }
  }
  return status;
};

export const sort: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1), ['k', 't']);
  const lines: string[] = [];
  const status = await readInputs(proc, operands, (text) => lines.push(...splitLines(text)));
  const numeric = flags.has('n');
  lines.sort((a, b) => (numeric ? (parseFloat(a) || 0) - (parseFloat(b) || 0) || (a < b ? -1 : a > b ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0));
  if (flags.has('r')) lines.reverse();
  const out = flags.has('u') ? lines.filter((l, i) => i === 0 || l !== lines[i - 1]) : lines;
  if (out.length) proc.out(`${out.join('\n')}\n`);
  return status;
};

export const uniq: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const lines: string[] = [];
  const status = await readInputs(proc, operands.slice(0, 1), (text) => lines.push(...splitLines(text)));
  const groups: [string, number][] = [];
  for (const l of lines) {
    const last = groups.at(-1);
    if (last && last[0] === l) last[1]++;
    else groups.push([l, 1]);
  }
  const out = groups.filter(([, n]) => (flags.has('d') ? n > 1 : flags.has('u') ? n === 1 : true)).map(([l, n]) => (flags.has('c') ? `${String(n).padStart(7)} ${l}` : l));
  if (out.length) proc.out(`${out.join('\n')}\n`);
  return status;
};

/** cut -d DELIM -f LIST, or -c LIST. */
export const cut: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1), ['d', 'f', 'c']);
  const list = (flags.get('f') ?? flags.get('c')) as string | undefined;
  if (typeof list !== 'string') return fail(proc, isBusybox(proc) ? 'expected a list of bytes, characters, or fields' : 'you must specify a list of bytes, characters, or fields');
  const wanted = (n: number) =>
    list.split(',').some((part) => {
      const [a, b] = part.split('-');
      const lo = a === '' ? 1 : Number(a);
      const hi = b === undefined ? lo : b === '' ? Infinity : Number(b);
      return n >= lo && n <= hi;
    });
  const delim = typeof flags.get('d') === 'string' ? (flags.get('d') as string) : '\t';
  const byChar = flags.has('c');
  return readInputs(proc, operands, (text) => {
    const out = splitLines(text).map((line) => {
      const parts = byChar ? [...line] : line.split(delim);
      if (!byChar && parts.length === 1) return line;
      return parts.filter((_, i) => wanted(i + 1)).join(byChar ? '' : delim);
    });
    if (out.length) proc.out(`${out.join('\n')}\n`);
  });
};

/** tr SET1 SET2 (with a-z ranges), tr -d SET. */
export const tr: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const expand = (set: string) => {
    const chars: string[] = [];
    const s = unescape(set).text;
    for (let i = 0; i < s.length; i++) {
      if (s[i + 1] === '-' && i + 2 < s.length) {
        for (let c = s.charCodeAt(i); c <= s.charCodeAt(i + 2); c++) chars.push(String.fromCharCode(c));
        i += 2;
      } else chars.push(s[i]!);
    }
    return chars;
  };
  const [from, to] = [expand(operands[0] ?? ''), expand(operands[1] ?? '')];
  const text = await readAllStdin(proc);
  let out = '';
  for (const ch of text) {
    const idx = from.indexOf(ch);
    if (idx === -1) out += ch;
    else if (!flags.has('d')) out += to[Math.min(idx, to.length - 1)] ?? ch;
  }
  proc.out(out);
  return 0;
};
