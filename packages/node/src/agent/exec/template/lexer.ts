// Tokens of Go's text/template (the subset SwarmKit templates use): text between actions, and
// inside `{{ }}` fields, variables, identifiers, strings, numbers, pipes and parentheses. Trim
// markers (`{{- `, ` -}}`) and comments (`{{/* */}}`) behave as in Go.

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'field' // .Foo (one segment; chains are consecutive field tokens)
  | 'dot'
  | 'variable' // $ or $name
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare' // :=
  | 'assign' // =
  | 'comma'
  | 'space'
  | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  /** Byte offset in the template (Go reports columns from it). */
  pos: number;
  line: number;
}

export class TemplateSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const push = (kind: TokenKind, value: string, at: number, atLine: number) => tokens.push({ kind, value, pos: at, line: atLine });
  const advanceLines = (s: string) => {
    for (const ch of s) if (ch === '\n') line++;
  };

  while (pos < input.length) {
    const open = input.indexOf('{{', pos);
    if (open === -1) {
      push('text', input.slice(pos), pos, line);
      advanceLines(input.slice(pos));
      pos = input.length;
      break;
    }
    let text = input.slice(pos, open);
    const trimLeft = input.startsWith('{{- ', open) || input.startsWith('{{-\t', open) || input.startsWith('{{-\n', open) || input.startsWith('{{-\r', open);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) push('text', text, pos, line);
    advanceLines(input.slice(pos, open));
    pos = open + 2 + (trimLeft ? 2 : 0);

    // A comment occupies the whole action.
    const afterSpace = trimLeft ? pos : pos;
    if (input.startsWith('/*', afterSpace)) {
      const end = input.indexOf('*/', afterSpace + 2);
      if (end === -1) throw new TemplateSyntaxError(line, 'unclosed comment');
      advanceLines(input.slice(pos, end));
      pos = end + 2;
      const trimRight = input.startsWith(' -}}', pos);
      if (!trimRight && !input.startsWith('}}', pos)) throw new TemplateSyntaxError(line, 'comment ends before closing delimiter');
      pos += trimRight ? 4 : 2;
      if (trimRight) pos = skipSpace(input, pos, (n) => (line += n));
      continue;
    }

    push('leftDelim', '{{', open, line);
    pos = lexInsideAction(input, pos, () => line, (n) => (line += n), push);
    // lexInsideAction stops right before a right delimiter (or at the end).
    if (pos >= input.length) throw new TemplateSyntaxError(line, 'unclosed action');
    const trimRight = input.startsWith(' -}}', pos) || input.startsWith('\t-}}', pos) || input.startsWith('\n-}}', pos);
    push('rightDelim', '}}', pos, line);
    pos += trimRight ? 4 : 2;
    if (trimRight) pos = skipSpace(input, pos, (n) => (line += n));
  }
  push('eof', '', pos, line);
  return tokens;
}

function skipSpace(input: string, pos: number, addLines: (n: number) => void): number {
  let p = pos;
  while (p < input.length && ' \t\r\n'.includes(input[p]!)) {
    if (input[p] === '\n') addLines(1);
    p++;
  }
  return p;
}

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

function lexInsideAction(
  input: string,
  start: number,
  line: () => number,
  addLines: (n: number) => void,
  push: (kind: TokenKind, value: string, at: number, atLine: number) => void,
): number {
  let pos = start;
  let parenDepth = 0;
  for (;;) {
    if (pos >= input.length) throw new TemplateSyntaxError(line(), 'unclosed action');
    if (input.startsWith('}}', pos) || (/^[ \t\r\n]-}}/.test(input.slice(pos, pos + 4)))) {
      if (parenDepth > 0) throw new TemplateSyntaxError(line(), 'unclosed left paren');
      return pos;
    }
    const ch = input[pos]!;
    const at = pos;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      let end = skipSpace(input, pos, addLines);
      // Leave the last space for a right trim marker (" -}}").
      if (input.startsWith('-}}', end)) end--;
      if (end > pos) push('space', input.slice(pos, end), at, line());
      pos = end;
    } else if (ch === '|') {
      push('pipe', '|', at, line());
      pos++;
    } else if (ch === '(') {
      parenDepth++;
      push('leftParen', '(', at, line());
      pos++;
    } else if (ch === ')') {
      parenDepth--;
      if (parenDepth < 0) throw new TemplateSyntaxError(line(), `unexpected right paren`);
      push('rightParen', ')', at, line());
      pos++;
    } else if (ch === ',') {
      push('comma', ',', at, line());
      pos++;
    } else if (ch === ':') {
      if (input[pos + 1] !== '=') throw new TemplateSyntaxError(line(), 'expected :=');
      push('declare', ':=', at, line());
      pos += 2;
    } else if (ch === '=') {
      push('assign', '=', at, line());
      pos++;
    } else if (ch === '"') {
      let p = pos + 1;
      while (p < input.length && input[p] !== '"') {
        if (input[p] === '\\') p++;
        if (input[p] === '\n') throw new TemplateSyntaxError(line(), 'unterminated quoted string');
        p++;
      }
      if (p >= input.length) throw new TemplateSyntaxError(line(), 'unterminated quoted string');
      push('string', input.slice(pos, p + 1), at, line());
      pos = p + 1;
    } else if (ch === '`') {
      const end = input.indexOf('`', pos + 1);
      if (end === -1) throw new TemplateSyntaxError(line(), 'unterminated raw quoted string');
      push('rawString', input.slice(pos, end + 1), at, line());
      addLines((input.slice(pos, end).match(/\n/g) ?? []).length);
      pos = end + 1;
    } else if (ch === "'") {
      let p = pos + 1;
      while (p < input.length && input[p] !== "'") {
        if (input[p] === '\\') p++;
        p++;
      }
      if (p >= input.length) throw new TemplateSyntaxError(line(), 'unterminated character constant');
      push('char', input.slice(pos, p + 1), at, line());
      pos = p + 1;
    } else if (ch === '$') {
      let p = pos + 1;
      while (isAlnum(input[p])) p++;
      push('variable', input.slice(pos, p), at, line());
      pos = p;
    } else if (ch === '.') {
      if (/[0-9]/.test(input[pos + 1] ?? '')) {
        pos = lexNumber(input, pos, line(), push);
      } else if (isAlnum(input[pos + 1])) {
        let p = pos + 1;
        while (isAlnum(input[p])) p++;
        push('field', input.slice(pos, p), at, line());
        pos = p;
      } else {
        push('dot', '.', at, line());
        pos++;
      }
    } else if (/[0-9+-]/.test(ch)) {
      pos = lexNumber(input, pos, line(), push);
    } else if (isAlnum(ch)) {
      let p = pos;
      while (isAlnum(input[p])) p++;
      const word = input.slice(pos, p);
      const kind: TokenKind = KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
      push(kind, word, at, line());
      pos = p;
    } else {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new TemplateSyntaxError(line(), `bad character U+${code} '${ch}'`);
    }
  }
}

function lexNumber(input: string, start: number, line: number, push: (kind: TokenKind, value: string, at: number, atLine: number) => void): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(input.slice(start));
  const text = m?.[0] ?? '';
  if (!text || text === '+' || text === '-' || isAlnum(input[start + text.length])) {
    const end = start + Math.max(1, text.length) + (isAlnum(input[start + text.length]) ? 1 : 0);
    throw new TemplateSyntaxError(line, `bad number syntax: "${input.slice(start, end)}"`);
  }
  push('number', text, start, line);
  return start + text.length;
}
