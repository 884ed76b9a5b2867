// The POSIX shell grammar the emulated sh understands: lists with ; & && ||, pipelines with | and
// !, simple commands with assignments and redirections, ( … ), { …; }, if/elif/else, for, while,
// until, case and function definitions (name() compound-command). Reserved words count only where
// a command starts, as in sh.

import { ShellSyntaxError, tokenize, type RedirOp, type Token, type Word } from './lexer.js';

export interface Redirect {
  op: RedirOp;
  fd?: number;
  target: Word;
}

export interface Assignment {
  name: string;
  value: Word;
}

export type Command =
  | { type: 'simple'; assigns: Assignment[]; words: Word[]; redirects: Redirect[]; line: number }
  | { type: 'if'; clauses: { cond: List; body: List }[]; elseBody?: List; redirects: Redirect[] }
  | { type: 'for'; name: string; items?: Word[]; body: List; redirects: Redirect[] }
  | { type: 'while' | 'until'; cond: List; body: List; redirects: Redirect[] }
  | { type: 'case'; subject: Word; arms: { patterns: Word[]; body: List }[]; redirects: Redirect[] }
  | { type: 'brace' | 'subshell'; body: List; redirects: Redirect[] }
  | { type: 'function'; name: string; body: Command; redirects: Redirect[] };

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}

export interface List {
  items: { andOr: AndOr; background: boolean }[];
}

/** Special builtins (POSIX 2.9.1): no function may take their name. */
const SPECIAL_BUILTINS = new Set([':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'trap', 'unset']);

const RESERVED_ENDS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);

export function parseScript(src: string): List {
  const p = new Parser(tokenize(src));
  const list = p.parseList(new Set());
  p.expectEnd();
  return list;
}

class Parser {
  private i = 0;
  /** Line of the last word read, for dash's "sh: LINE: …" messages. */
  private line = 1;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i++;
    if (t.kind === 'word') this.line = t.line;
    return t;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t);
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  /** An unquoted reserved word at this position. */
  private reserved(t: Token = this.peek()): string | undefined {
    if (t.kind !== 'word') return undefined;
    return t.word.length === 1 && t.word[0]!.t === 'lit' && !t.word[0]!.q ? t.raw : undefined;
  }

  private isListEnd(ends: Set<string>): boolean {
    const t = this.peek();
    if (t.kind === 'eof') return true;
    if (t.kind === 'op' && (t.op === ')' || t.op === ';;')) return true;
    const r = this.reserved(t);
    return r !== undefined && (ends.has(r) || RESERVED_ENDS.has(r));
  }

  parseList(ends: Set<string>): List {
    const list: List = { items: [] };
    this.skipNewlines();
    while (!this.isListEnd(ends)) {
      const andOr = this.parseAndOr();
      let background = false;
      const t = this.peek();
      if (t.kind === 'op' && (t.op === ';' || t.op === '&')) {
        background = t.op === '&';
        this.next();
      } else if (t.kind === 'newline') {
        this.next();
      } else if (!this.isListEnd(ends)) {
        throw this.unexpected(t);
      }
      list.items.push({ andOr, background });
      this.skipNewlines();
    }
    return list;
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      this.next();
      this.skipNewlines();
      rest.push({ op: t.op, pipeline: this.parsePipeline() });
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    let negate = false;
    if (this.reserved() === '!') {
      this.next();
      negate = true;
    }
    const commands = [this.parseCommand()];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || t.op !== '|') break;
      this.next();
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { negate, commands };
  }

  private parseCommand(): Command {
    const t = this.peek();
    const r = this.reserved(t);
    let cmd: Command;
    if (t.kind === 'op' && t.op === '(') {
      this.next();
      const body = this.parseList(new Set());
      this.expectOp(')');
      cmd = { type: 'subshell', body, redirects: [] };
    } else if (r === '{') {
      this.next();
      const body = this.parseList(new Set(['}']));
      this.expectWord('}');
      cmd = { type: 'brace', body, redirects: [] };
    } else if (r === 'if') {
      cmd = this.parseIf();
    } else if (r === 'for') {
      cmd = this.parseFor();
    } else if (r === 'while' || r === 'until') {
      this.next();
      const cond = this.parseList(new Set(['do']));
      const body = this.parseDoGroup();
      cmd = { type: r, cond, body, redirects: [] };
    } else if (r === 'case') {
      cmd = this.parseCase();
    } else if (r !== undefined && RESERVED_ENDS.has(r)) {
      throw this.unexpected(t);
    } else if (this.atFunctionDefinition()) {
      return this.parseFunction();
    } else {
      return this.parseSimple();
    }
    while (this.peek().kind === 'redir') cmd.redirects.push(this.parseRedirect());
    return cmd;
  }

  /** `name ( )`: an unquoted name followed by an empty pair of parentheses. */
  private atFunctionDefinition(): boolean {
    const [name, open, close] = [this.tokens[this.i], this.tokens[this.i + 1], this.tokens[this.i + 2]];
    return (
      name?.kind === 'word' &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(name.raw) &&
      this.reserved(name) !== undefined &&
      open?.kind === 'op' &&
      open.op === '(' &&
      close?.kind === 'op' &&
      close.op === ')'
    );
  }

  /** name() command: POSIX wants a compound command; ash and dash take a simple one too, as here. */
  private parseFunction(): Command {
    const nameTok = this.next() as Extract<Token, { kind: 'word' }>;
    const name = nameTok.raw;
    if (SPECIAL_BUILTINS.has(name)) throw new ShellSyntaxError('bad function name', undefined, nameTok.line);
    this.next();
    this.next();
    this.skipNewlines();
    const start = this.peek();
    const body = this.parseCommand();
    if (body.type === 'function') throw this.unexpected(start);
    return { type: 'function', name, body, redirects: [] };
  }

  private parseIf(): Command {
    this.next();
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const cond = this.parseList(new Set(['then']));
      this.expectWord('then');
      const body = this.parseList(new Set());
      clauses.push({ cond, body });
      const r = this.reserved();
      if (r === 'elif') {
        this.next();
        continue;
      }
      if (r === 'else') {
        this.next();
        elseBody = this.parseList(new Set());
      }
      this.expectWord('fi');
      return { type: 'if', clauses, elseBody, redirects: [] };
    }
  }

  private parseFor(): Command {
    this.next();
    const nameTok = this.next();
    if (nameTok.kind !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok.raw)) throw this.unexpected(nameTok);
    this.skipNewlines();
    let items: Word[] | undefined;
    if (this.reserved() === 'in') {
      this.next();
      items = [];
      for (;;) {
        const t = this.peek();
        if (t.kind !== 'word') break;
        items.push(t.word);
        this.next();
      }
      const sep = this.peek();
      if (sep.kind === 'op' && sep.op === ';') this.next();
      else if (sep.kind === 'newline') this.next();
      else throw this.unexpected(sep);
    } else {
      const sep = this.peek();
      if (sep.kind === 'op' && sep.op === ';') this.next();
    }
    this.skipNewlines();
    const body = this.parseDoGroup();
    return { type: 'for', name: nameTok.raw, items, body, redirects: [] };
  }

  private parseDoGroup(): List {
    this.expectWord('do');
    const body = this.parseList(new Set());
    this.expectWord('done');
    return body;
  }

  private parseCase(): Command {
    this.next();
    const subjectTok = this.next();
    if (subjectTok.kind !== 'word') throw this.unexpected(subjectTok);
    this.skipNewlines();
    this.expectWord('in');
    this.skipNewlines();
    const arms: { patterns: Word[]; body: List }[] = [];
    while (this.reserved() !== 'esac') {
      const open = this.peek();
      if (open.kind === 'op' && open.op === '(') this.next();
      const patterns: Word[] = [];
      for (;;) {
        const t = this.next();
        if (t.kind !== 'word') throw this.unexpected(t);
        patterns.push(t.word);
        const sep = this.next();
        if (sep.kind === 'op' && sep.op === '|') continue;
        if (sep.kind === 'op' && sep.op === ')') break;
        throw this.unexpected(sep);
      }
      const body = this.parseList(new Set(['esac']));
      arms.push({ patterns, body });
      const t = this.peek();
      if (t.kind === 'op' && t.op === ';;') {
        this.next();
        this.skipNewlines();
      } else if (this.reserved() !== 'esac') throw this.unexpected(t);
    }
    this.next();
    return { type: 'case', subject: subjectTok.word, arms, redirects: [] };
  }

  private parseSimple(): Command {
    const first = this.peek();
    const line = first.kind === 'word' ? first.line : this.line;
    const cmd: Extract<Command, { type: 'simple' }> = { type: 'simple', assigns: [], words: [], redirects: [], line };
    for (;;) {
      const t = this.peek();
      if (t.kind === 'redir') {
        cmd.redirects.push(this.parseRedirect());
        continue;
      }
      if (t.kind !== 'word') break;
      if (cmd.words.length === 0) {
        const assign = asAssignment(t);
        if (assign) {
          this.next();
          cmd.assigns.push(assign);
          continue;
        }
      }
      this.next();
      cmd.words.push(t.word);
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirects.length === 0) throw this.unexpected(this.peek());
    return cmd;
  }

  private parseRedirect(): Redirect {
    const t = this.next() as Extract<Token, { kind: 'redir' }>;
    const target = this.next();
    if (target.kind !== 'word') throw this.unexpected(target);
    return { op: t.op, fd: t.fd, target: target.word };
  }

  private unexpected(t: Token): ShellSyntaxError {
    const what = describeToken(t);
    return new ShellSyntaxError(what, what, t.kind === 'word' ? t.line : this.line);
  }

  private expectWord(word: string): void {
    const t = this.peek();
    if (this.reserved(t) !== word) throw this.unexpected(t);
    this.next();
  }

  private expectOp(op: string): void {
    const t = this.peek();
    if (t.kind !== 'op' || t.op !== op) throw this.unexpected(t);
    this.next();
  }
}

function asAssignment(t: Extract<Token, { kind: 'word' }>): Assignment | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw);
  const first = t.word[0];
  if (!m || !first || first.t !== 'lit' || first.q || !first.v.startsWith(`${m[1]}=`)) return undefined;
  const rest = first.v.slice(m[1]!.length + 1);
  const value: Word = rest ? [{ t: 'lit', v: rest, q: false }, ...t.word.slice(1)] : t.word.slice(1);
  return { name: m[1]!, value };
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return 'newline';
    case 'op':
    case 'redir':
      return t.op;
    case 'word':
      return t.raw;
  }
}
