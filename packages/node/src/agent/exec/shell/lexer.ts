// Splits a POSIX shell script into words and operators. Words keep their structure (quoted and
// unquoted text, $var / ${var…}, $(…) and `…`, $((…))) so expansion can split fields and glob
// only what was unquoted, as sh does.

export type WordPart =
  | { t: 'lit'; v: string; q: boolean }
  | { t: 'param'; name: string; op?: ParamOp; arg?: Word; q: boolean }
  | { t: 'cmd'; src: string; q: boolean }
  | { t: 'arith'; src: string; q: boolean };

export type ParamOp = ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | '#' | '##' | '%' | '%%' | 'length';

export type Word = WordPart[];

export type RedirOp = '>' | '>>' | '<' | '>&' | '<&' | '>|' | '<>' | '&>';

export type Token =
  | { kind: 'word'; word: Word; raw: string; line: number }
  | { kind: 'op'; op: '&&' | '||' | ';;' | ';' | '&' | '|' | '(' | ')' }
  | { kind: 'redir'; op: RedirOp; fd?: number }
  | { kind: 'newline' }
  | { kind: 'eof' };

export class ShellSyntaxError extends Error {
  constructor(
    /** What went wrong, without the shell's prefix: "unterminated quoted string", or the token. */
    readonly detail: string,
    /** The token found where it does not belong, if that is the error. */
    readonly unexpected?: string,
    readonly line = 1,
  ) {
    super(unexpected !== undefined ? `unexpected ${unexpected}` : detail);
  }
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
    } else if (ch === '\n') {
      tokens.push({ kind: 'newline' });
      i++;
      line++;
    } else if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '&' && src[i + 1] === '>') {
      tokens.push({ kind: 'redir', op: '&>' });
      i += 2;
    } else if (ch === '<' || ch === '>') {
      const [op, len] = redirOperator(src, i);
      tokens.push({ kind: 'redir', op });
      i += len;
    } else if (META.has(ch)) {
      const two = src.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === ';;') {
        tokens.push({ kind: 'op', op: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', op: ch as ';' | '&' | '|' | '(' | ')' });
        i++;
      }
    } else {
      const start = i;
      const { word, end } = readWord(src, i);
      const raw = src.slice(start, end);
      // "2>file": a word of digits glued to a redirection is its file descriptor.
      if (/^\d+$/.test(raw) && (src[end] === '<' || src[end] === '>')) {
        const [op, len] = redirOperator(src, end);
        tokens.push({ kind: 'redir', op, fd: Number(raw) });
        i = end + len;
        continue;
      }
      tokens.push({ kind: 'word', word, raw, line });
      line += (raw.match(/\n/g) ?? []).length;
      i = end;
    }
  }
  tokens.push({ kind: 'eof' });
  return tokens;
}

function redirOperator(src: string, i: number): [RedirOp, number] {
  const two = src.slice(i, i + 2);
  if (two === '>>' || two === '>&' || two === '<&' || two === '>|' || two === '<>') return [two, 2];
  return [src[i] as '<' | '>', 1];
}

/** Reads one word starting at `i`; quoted text keeps its quoting in the parts. */
export function readWord(src: string, start: number, stopAt?: (ch: string) => boolean): { word: Word; end: number } {
  const parts: Word = [];
  const lit = (v: string, q: boolean) => {
    const last = parts.at(-1);
    if (last && last.t === 'lit' && last.q === q) last.v += v;
    else parts.push({ t: 'lit', v, q });
  };
  let i = start;
  while (i < src.length) {
    const ch = src[i]!;
    if (stopAt ? stopAt(ch) : META.has(ch)) break;
    if (ch === '\\') {
      if (src[i + 1] === '\n') {
        i += 2;
      } else if (i + 1 < src.length) {
        lit(src[i + 1]!, true);
        i += 2;
      } else {
        lit('\\', false);
        i++;
      }
    } else if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end === -1) throw new ShellSyntaxError('unterminated quoted string');
      lit(src.slice(i + 1, end), true);
      i = end + 1;
    } else if (ch === '"') {
      i = readDoubleQuoted(src, i + 1, parts, lit);
    } else if (ch === '$') {
      i = readDollar(src, i, parts, false, lit);
    } else if (ch === '`') {
      const { src: inner, end } = readBackticks(src, i + 1);
      parts.push({ t: 'cmd', src: inner, q: false });
      i = end;
    } else {
      lit(ch, false);
      i++;
    }
  }
  return { word: parts, end: i };
}

function readDoubleQuoted(src: string, start: number, parts: Word, lit: (v: string, q: boolean) => void): number {
  let i = start;
  // An empty "" still makes a (quoted, empty) field.
  lit('', true);
  while (i < src.length && src[i] !== '"') {
    const ch = src[i]!;
    if (ch === '\\' && i + 1 < src.length) {
      const nx = src[i + 1]!;
      if (nx === '\n') i += 2;
      else if ('$`"\\'.includes(nx)) {
        lit(nx, true);
        i += 2;
      } else {
        lit('\\', true);
        i++;
      }
    } else if (ch === '$') {
      i = readDollar(src, i, parts, true, lit);
    } else if (ch === '`') {
      const { src: inner, end } = readBackticks(src, i + 1);
      parts.push({ t: 'cmd', src: inner, q: true });
      i = end;
    } else {
      lit(ch, true);
      i++;
    }
  }
  if (i >= src.length) throw new ShellSyntaxError('unterminated quoted string');
  return i + 1;
}

function readBackticks(src: string, start: number): { src: string; end: number } {
  let i = start;
  let inner = '';
  while (i < src.length && src[i] !== '`') {
    if (src[i] === '\\' && '$`\\'.includes(src[i + 1] ?? '')) {
      inner += src[i + 1];
      i += 2;
    } else inner += src[i++];
  }
  if (i >= src.length) throw new ShellSyntaxError('unterminated quoted string');
  return { src: inner, end: i + 1 };
}

const SPECIAL_PARAMS = new Set(['?', '$', '#', '@', '*', '!', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

function readDollar(src: string, i: number, parts: Word, q: boolean, lit: (v: string, q: boolean) => void): number {
  const nx = src[i + 1];
  if (nx === '(' && src[i + 2] === '(') {
    const end = matchParen(src, i + 2);
    if (src[end + 1] === ')') {
      parts.push({ t: 'arith', src: src.slice(i + 3, end), q });
      return end + 2;
    }
    // $( (a) ) — a command substitution starting with a subshell.
  }
  if (nx === '(') {
    const end = matchParen(src, i + 1);
    parts.push({ t: 'cmd', src: src.slice(i + 2, end), q });
    return end + 1;
  }
  if (nx === '{') return readBraceParam(src, i + 2, parts, q);
  if (nx !== undefined && /[A-Za-z_]/.test(nx)) {
    let j = i + 1;
    while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
    parts.push({ t: 'param', name: src.slice(i + 1, j), q });
    return j;
  }
  if (nx !== undefined && SPECIAL_PARAMS.has(nx)) {
    parts.push({ t: 'param', name: nx, q });
    return i + 2;
  }
  lit('$', q);
  return i + 1;
}

function readBraceParam(src: string, start: number, parts: Word, q: boolean): number {
  let i = start;
  let length = false;
  if (src[i] === '#' && src[i + 1] !== '}' && /[A-Za-z_0-9?@*#$!]/.test(src[i + 1] ?? '')) {
    length = true;
    i++;
  }
  let name: string;
  if (/[A-Za-z_]/.test(src[i] ?? '')) {
    let j = i;
    while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
    name = src.slice(i, j);
    i = j;
  } else if (SPECIAL_PARAMS.has(src[i] ?? '')) {
    name = src[i]!;
    i++;
  } else {
    throw new ShellSyntaxError('bad substitution');
  }
  if (length) {
    if (src[i] !== '}') throw new ShellSyntaxError('bad substitution');
    parts.push({ t: 'param', name, op: 'length', q });
    return i + 1;
  }
  if (src[i] === '}') {
    parts.push({ t: 'param', name, q });
    return i + 1;
  }
  const opMatch = /^(:-|:=|:\+|:\?|-|=|\+|\?|##|#|%%|%)/.exec(src.slice(i));
  if (!opMatch) throw new ShellSyntaxError('bad substitution');
  const op = opMatch[1] as ParamOp;
  i += op.length;
  // The argument is a word up to the matching close brace.
  let depth = 0;
  let j = i;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === "'" && !q) j = src.indexOf("'", j + 1);
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (j === -1) break;
  }
  if (j === -1 || j >= src.length) throw new ShellSyntaxError('bad substitution');
  const { word } = readWord(src.slice(i, j), 0, () => false);
  parts.push({ t: 'param', name, op, arg: q ? word.map((p) => ({ ...p, q: true })) : word, q });
  return j + 1;
}

/** Index of the `)` matching the `(` at `open`, skipping quotes and nested parentheses. */
function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end === -1) break;
      i = end;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\') i++;
        i++;
      }
    } else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new ShellSyntaxError('unterminated quoted string', undefined);
}
