// Word expansion in sh's order: parameters, command substitution and arithmetic, then field
// splitting of what was unquoted, then pathname expansion, then quote removal.

import { readWord, type Word, type WordPart } from './lexer.js';
import { escapePattern, hasGlobChars, trimPattern, unescapePattern } from './pattern.js';

export interface ExpandHost {
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** $? $$ $# $! $- $0…$9; `@`/`*` give the positional parameters. */
  special(name: string): string | string[] | undefined;
  commandSubst(src: string): Promise<string>;
  arith(src: string): string;
  glob(pattern: string): Promise<string[]>;
  /** ${var:?msg}: the shell reports and exits (non-interactive). */
  paramError(name: string, message: string): never;
}

interface Field {
  /** Text with quoted glob characters escaped (a pattern). */
  pattern: string;
  /** Something quoted contributed, so the field exists even when empty. */
  quoted: boolean;
}

/** Expands command words into fields (splitting and globbing). */
export async function expandWords(words: Word[], host: ExpandHost): Promise<string[]> {
  const out: string[] = [];
  for (const w of words) out.push(...(await expandWord(w, host)));
  return out;
}

async function expandWord(word: Word, host: ExpandHost): Promise<string[]> {
  const fields: Field[] = [];
  let cur: Field | undefined;
  const ensure = () => (cur ??= { pattern: '', quoted: false });
  const finish = () => {
    if (cur && (cur.quoted || cur.pattern !== '')) fields.push(cur);
    cur = undefined;
  };
  const appendUnquoted = (text: string) => {
    // IFS whitespace separates fields; runs of it count once.
    const pieces = text.split(/[ \t\n]+/);
    pieces.forEach((piece, idx) => {
      if (idx > 0) finish();
      if (piece) ensure().pattern += escapePattern(piece);
    });
  };

  for (const [index, part] of word.entries()) {
    // A leading unquoted ~ is the home directory (~user is not supported).
    if (index === 0 && part.t === 'lit' && !part.q && (part.v.startsWith('~/') || (part.v === '~' && word.length === 1))) {
      const f = ensure();
      f.pattern += escapePattern(host.getVar('HOME') ?? '/') + part.v.slice(1);
      continue;
    }
    if (part.t === 'lit') {
      const f = ensure();
      f.pattern += part.q ? escapePattern(part.v) : part.v;
      if (part.q) f.quoted = true;
      continue;
    }
    if (part.t === 'param' && (part.name === '@' || part.name === '*') && !part.op) {
      const params = (host.special(part.name) as string[] | undefined) ?? [];
      if (part.q && part.name === '@') {
        params.forEach((p, idx) => {
          if (idx > 0) finish();
          const f = ensure();
          f.pattern += escapePattern(p);
          f.quoted = true;
        });
        continue;
      }
      if (part.q) {
        const f = ensure();
        f.pattern += escapePattern(params.join(' '));
        f.quoted = true;
        continue;
      }
      params.forEach((p, idx) => {
        if (idx > 0) finish();
        appendUnquoted(p);
      });
      continue;
    }
    const value = await expandPart(part, host);
    if (part.q) {
      const f = ensure();
      f.pattern += escapePattern(value);
      f.quoted = true;
    } else {
      appendUnquoted(value);
    }
  }
  finish();

  const result: string[] = [];
  for (const f of fields) {
    if (hasGlobChars(f.pattern)) {
      const matches = await host.glob(f.pattern);
      if (matches.length > 0) {
        result.push(...matches);
        continue;
      }
    }
    result.push(unescapePattern(f.pattern));
  }
  return result;
}

/** One string, no splitting or globbing: assignments, redirection targets, case subjects. */
export async function expandString(word: Word, host: ExpandHost): Promise<string> {
  let s = '';
  for (const part of word) s += part.t === 'lit' ? part.v : await expandPart(part, host);
  return s;
}

/** A case pattern: expanded, with quoted characters escaped so they match literally. */
export async function expandPattern(word: Word, host: ExpandHost): Promise<string> {
  let s = '';
  for (const part of word) {
    const v = part.t === 'lit' ? part.v : await expandPart(part, host);
    s += part.q ? escapePattern(v) : v;
  }
  return s;
}

async function expandPart(part: Exclude<WordPart, { t: 'lit' }>, host: ExpandHost): Promise<string> {
  switch (part.t) {
    case 'cmd':
      return (await host.commandSubst(part.src)).replace(/\n+$/, '');
    case 'arith':
      // The expression itself undergoes parameter expansion first ($x inside $(( ))).
      return host.arith(await expandArithSource(part.src, host));
    case 'param':
      return expandParam(part, host);
  }
}

async function expandArithSource(src: string, host: ExpandHost): Promise<string> {
  const { word } = readWord(src, 0, () => false);
  return expandString(word, host);
}

async function expandParam(part: Extract<WordPart, { t: 'param' }>, host: ExpandHost): Promise<string> {
  const raw = lookup(part.name, host);
  const value = raw ?? '';
  const arg = async () => (part.arg ? expandString(part.arg, host) : '');
  switch (part.op) {
    case undefined:
      return value;
    case 'length':
      return String([...value].length);
    case ':-':
      return raw === undefined || raw === '' ? arg() : value;
    case '-':
      return raw === undefined ? arg() : value;
    case ':=':
    case '=': {
      if (raw === undefined || (part.op === ':=' && raw === '')) {
        const v = await arg();
        host.setVar(part.name, v);
        return v;
      }
      return value;
    }
    case ':+':
      return raw !== undefined && raw !== '' ? arg() : '';
    case '+':
      return raw !== undefined ? arg() : '';
    case ':?':
    case '?':
      if (raw === undefined || (part.op === ':?' && raw === '')) {
        const msg = await arg();
        host.paramError(part.name, msg || (raw === undefined ? 'parameter not set' : 'parameter null or not set'));
      }
      return value;
    case '#':
    case '##':
    case '%':
    case '%%': {
      const pattern = part.arg ? await expandPattern(part.arg, host) : '';
      return trimPattern(value, pattern, part.op);
    }
  }
}

function lookup(name: string, host: ExpandHost): string | undefined {
  if (/^[A-Za-z_]/.test(name)) return host.getVar(name);
  const v = host.special(name);
  return Array.isArray(v) ? v.join(' ') : v;
}
