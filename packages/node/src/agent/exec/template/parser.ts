// Parse tree of a Go template, built from the lexer's tokens the way text/template/parse does:
// actions hold pipelines of commands; if/with/range hold lists. Functions must be known at parse
// time ("function %q not defined"), as in Go.

import { lex, TemplateSyntaxError, type Token } from './lexer.js';

interface Positioned {
  pos: number;
  line: number;
}

export type ArgNode =
  | ({ type: 'field'; idents: string[] } & Positioned)
  | ({ type: 'variable'; name: string; idents: string[] } & Positioned)
  | ({ type: 'dot' } & Positioned)
  | ({ type: 'identifier'; name: string } & Positioned)
  | ({ type: 'string'; value: string; quoted: string } & Positioned)
  | ({ type: 'number'; value: number; text: string } & Positioned)
  | ({ type: 'bool'; value: boolean } & Positioned)
  | ({ type: 'nil' } & Positioned)
  | ({ type: 'chain'; node: ArgNode; idents: string[] } & Positioned)
  | PipeNode;

export interface CommandNode extends Positioned {
  type: 'command';
  args: ArgNode[];
}

export interface PipeNode extends Positioned {
  type: 'pipe';
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}

export interface ControlNode extends Positioned {
  type: 'if' | 'with' | 'range';
  pipe: PipeNode;
  list: Node[];
  elseList?: Node[];
}

export type Node =
  | ({ type: 'text'; text: string } & Positioned)
  | ({ type: 'action'; pipe: PipeNode } & Positioned)
  | ControlNode
  | ({ type: 'break' | 'continue' } & Positioned);

export function parseTemplate(text: string, functions: ReadonlySet<string>): Node[] {
  return new Parser(lex(text), functions).parseRoot();
}

export { TemplateSyntaxError };

type EndKind = 'end' | 'else' | 'eof';

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  private rangeDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  parseRoot(): Node[] {
    const { list, end } = this.parseList();
    if (end.kind !== 'eof') throw this.error(end.tok, `unexpected {{${end.kind}}}`);
    return list;
  }

  private peek(skipSpace = true): Token {
    let j = this.i;
    while (skipSpace && this.tokens[j]!.kind === 'space') j++;
    return this.tokens[j]!;
  }

  private next(skipSpace = true): Token {
    while (skipSpace && this.tokens[this.i]!.kind === 'space') this.i++;
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private error(t: Token, detail: string): TemplateSyntaxError {
    return new TemplateSyntaxError(t.line, detail);
  }

  /** Items until {{end}}, {{else}} or the end of input. */
  private parseList(): { list: Node[]; end: { kind: EndKind; tok: Token } } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next(false);
      if (t.kind === 'eof') return { list, end: { kind: 'eof', tok: t } };
      if (t.kind === 'text') {
        list.push({ type: 'text', text: t.value, pos: t.pos, line: t.line });
        continue;
      }
      // leftDelim
      const k = this.peek();
      if (k.kind === 'keyword') {
        switch (k.value) {
          case 'end':
            this.next();
            this.expectRightDelim('end');
            return { list, end: { kind: 'end', tok: k } };
          case 'else':
            this.next();
            return { list, end: { kind: 'else', tok: k } };
          case 'if':
          case 'with':
          case 'range':
            this.next();
            list.push(this.parseControl(k.value, k));
            continue;
          case 'break':
          case 'continue':
            this.next();
            if (this.rangeDepth === 0) throw this.error(k, `{{${k.value}}} outside {{range}}`);
            this.expectRightDelim(k.value);
            list.push({ type: k.value, pos: k.pos, line: k.line });
            continue;
          default:
            throw this.error(k, `${k.value} is not supported in swarm templates`);
        }
      }
      const pipe = this.parsePipeline('command', 'rightDelim');
      list.push({ type: 'action', pipe, pos: pipe.pos, line: pipe.line });
    }
  }

  private expectRightDelim(context: string): void {
    const t = this.next();
    if (t.kind !== 'rightDelim') throw this.error(t, `unexpected ${describe(t)} in ${context}`);
  }

  private parseControl(kind: 'if' | 'with' | 'range', at: Token): Node {
    this.vars.push([...this.vars.at(-1)!]);
    const pipe = this.parsePipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    let { list, end } = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end.kind === 'else') {
      // {{else if …}} / {{else with …}} chain into a nested node, as Go does.
      const nxt = this.peek();
      if ((kind === 'if' && nxt.kind === 'keyword' && nxt.value === 'if') || (kind === 'with' && nxt.kind === 'keyword' && nxt.value === 'with')) {
        this.next();
        elseList = [this.parseControl(kind, nxt)];
        this.vars.pop();
        return { type: kind, pipe, list, elseList, pos: at.pos, line: at.line };
      }
      this.expectRightDelim('else');
      const rest = this.parseList();
      if (rest.end.kind !== 'end') throw this.error(rest.end.tok, rest.end.kind === 'eof' ? 'unexpected EOF' : `expected end; found {{else}}`);
      elseList = rest.list;
      end = rest.end;
    } else if (end.kind === 'eof') {
      throw this.error(end.tok, 'unexpected EOF');
    }
    this.vars.pop();
    return { type: kind, pipe, list, elseList, pos: at.pos, line: at.line };
  }

  private parsePipeline(context: string, closer: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peek();
    const pipe: PipeNode = { type: 'pipe', decl: [], isAssign: false, cmds: [], pos: first.pos, line: first.line };
    // Variable declarations: $x := … or $k, $v := … (range).
    if (first.kind === 'variable') {
      const save = this.i;
      const names: string[] = [];
      let t = this.next();
      names.push(t.value);
      let sep = this.peek();
      if (sep.kind === 'comma' && context === 'range') {
        this.next();
        t = this.next();
        if (t.kind !== 'variable') throw this.error(t, `range can only initialize variables`);
        names.push(t.value);
        sep = this.peek();
      }
      if (sep.kind === 'declare' || sep.kind === 'assign') {
        this.next();
        pipe.decl = names;
        pipe.isAssign = sep.kind === 'assign';
        if (sep.kind === 'declare') this.vars.at(-1)!.push(...names);
        else for (const n of names) this.checkVariable(n, t);
      } else {
        this.i = save;
      }
    }
    for (;;) {
      const t = this.peek();
      if (t.kind === closer) {
        this.next();
        if (pipe.cmds.length === 0) throw this.error(t, `missing value for ${context}`);
        return pipe;
      }
      if (t.kind === 'eof') throw this.error(t, 'unclosed action');
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') throw this.error(t, `unexpected ${describe(t)} in ${context}`);
      pipe.cmds.push(this.parseCommand(closer));
      const after = this.peek();
      if (after.kind === 'pipe') {
        this.next();
        if (this.peek().kind === closer) throw this.error(after, 'missing command after |');
      }
    }
  }

  private parseCommand(closer: 'rightDelim' | 'rightParen'): CommandNode {
    const start = this.peek();
    const cmd: CommandNode = { type: 'command', args: [], pos: start.pos, line: start.line };
    for (;;) {
      const t = this.peek(false);
      if (t.kind === 'space') {
        this.next(false);
        continue;
      }
      if (t.kind === closer || t.kind === 'pipe') break;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen' || t.kind === 'eof') break;
      cmd.args.push(this.parseOperand());
    }
    if (cmd.args.length === 0) throw this.error(start, 'empty command');
    return cmd;
  }

  private parseOperand(): ArgNode {
    const t = this.next(false);
    let node: ArgNode;
    switch (t.kind) {
      case 'field': {
        const idents = [t.value.slice(1), ...this.fieldChain()];
        return { type: 'field', idents, pos: t.pos, line: t.line };
      }
      case 'variable':
        this.checkVariable(t.value, t);
        return { type: 'variable', name: t.value, idents: this.fieldChain(), pos: t.pos, line: t.line };
      case 'dot':
        node = { type: 'dot', pos: t.pos, line: t.line };
        break;
      case 'identifier':
        if (!this.functions.has(t.value)) throw this.error(t, `function "${t.value}" not defined`);
        node = { type: 'identifier', name: t.value, pos: t.pos, line: t.line };
        break;
      case 'string':
      case 'rawString':
        node = { type: 'string', value: unquote(t), quoted: t.value, pos: t.pos, line: t.line };
        break;
      case 'char':
        node = { type: 'number', value: unquoteChar(t), text: t.value, pos: t.pos, line: t.line };
        break;
      case 'number': {
        const value = Number(t.value.replace(/_/g, ''));
        if (!Number.isFinite(value)) throw this.error(t, `illegal number syntax: "${t.value}"`);
        node = { type: 'number', value, text: t.value, pos: t.pos, line: t.line };
        break;
      }
      case 'bool':
        node = { type: 'bool', value: t.value === 'true', pos: t.pos, line: t.line };
        break;
      case 'nil':
        node = { type: 'nil', pos: t.pos, line: t.line };
        break;
      case 'leftParen':
        node = this.parsePipeline('parenthesized pipeline', 'rightParen');
        break;
      default:
        throw this.error(t, `unexpected ${describe(t)} in operand`);
    }
    const idents = this.fieldChain();
    if (idents.length === 0) return node;
    if (node.type !== 'pipe' && node.type !== 'dot') throw this.error(t, `unexpected . after term "${t.value}"`);
    return { type: 'chain', node, idents, pos: t.pos, line: t.line };
  }

  /** Field tokens directly following (no space): `.A.B`. */
  private fieldChain(): string[] {
    const idents: string[] = [];
    while (this.tokens[this.i]!.kind === 'field') idents.push(this.tokens[this.i++]!.value.slice(1));
    return idents;
  }

  private checkVariable(name: string, t: Token): void {
    if (!this.vars.at(-1)!.includes(name)) throw this.error(t, `undefined variable "${name}"`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'rightDelim':
      return '"}}"';
    case 'rightParen':
      return '")"';
    case 'eof':
      return 'EOF';
    case 'pipe':
      return '"|"';
    default:
      return `"${t.value}"`;
  }
}

function unquote(t: Token): string {
  if (t.kind === 'rawString') return t.value.slice(1, -1);
  try {
    return JSON.parse(t.value.replace(/\\'/g, "'").replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
  } catch {
    throw new TemplateSyntaxError(t.line, `invalid syntax`);
  }
}

function unquoteChar(t: Token): number {
  const inner = t.value.slice(1, -1);
  const s = inner.startsWith('\\') ? (JSON.parse(`"${inner.replace(/^\\'/, "'")}"`) as string) : inner;
  const cp = s.codePointAt(0);
  if (cp === undefined || [...s].length !== 1) throw new TemplateSyntaxError(t.line, `malformed character constant: ${t.value}`);
  return cp;
}
