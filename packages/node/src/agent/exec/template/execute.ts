// Executes a parsed Go template against a Go value, with `missingkey=error` as SwarmKit sets it,
// and fails with text/template's messages:
//   template: expansion:1:2: executing "expansion" at <.Foo>: can't evaluate field Foo in type …

import { parseTemplate, TemplateSyntaxError, type ArgNode, type CommandNode, type ControlNode, type Node, type PipeNode } from './parser.js';
import { formatValue, isTrue, sprint, sprintf, typeOf, type GoValue } from './values.js';

/** A template function: Go's (value, error) results become a return or a thrown Error. */
export type TemplateFunction = (...args: GoValue[]) => GoValue;

export interface FunctionSpec {
  fn: TemplateFunction;
  /** Fixed arity, or the minimum for variadic functions. */
  arity: number;
  variadic?: boolean;
  /** Every argument must be a string (Go's `...string` / `string` parameters). */
  stringArgs?: boolean;
}

/** Go's predefined functions (the subset swarm templates have use for). */
export const BUILTINS: Record<string, FunctionSpec> = {
  and: { fn: (...a) => a.find((v) => !isTrue(v)) ?? a.at(-1)!, arity: 1, variadic: true },
  or: { fn: (...a) => a.find((v) => isTrue(v)) ?? a.at(-1)!, arity: 1, variadic: true },
  not: { fn: (a) => !isTrue(a!), arity: 1 },
  len: { fn: (a) => goLen(a!), arity: 1 },
  index: { fn: (item, ...keys) => goIndex(item!, keys), arity: 1, variadic: true },
  print: { fn: (...a) => sprint(a), arity: 0, variadic: true },
  println: { fn: (...a) => `${a.map((v) => formatValue(v, false)).join(' ')}\n`, arity: 0, variadic: true },
  printf: { fn: (f, ...a) => sprintf(f as string, a), arity: 1, variadic: true },
  eq: { fn: (a, ...b) => b.some((x) => compare('eq', a!, x) === 0), arity: 1, variadic: true },
  ne: { fn: (a, b) => compare('ne', a!, b!) !== 0, arity: 2 },
  lt: { fn: (a, b) => compare('lt', a!, b!) < 0, arity: 2 },
  le: { fn: (a, b) => compare('le', a!, b!) <= 0, arity: 2 },
  gt: { fn: (a, b) => compare('gt', a!, b!) > 0, arity: 2 },
  ge: { fn: (a, b) => compare('ge', a!, b!) >= 0, arity: 2 },
  html: { fn: (...a) => sprint(a).replace(/[&'<>"\0]/g, (c) => HTML_ESCAPES[c]!), arity: 0, variadic: true },
  urlquery: { fn: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'), arity: 0, variadic: true },
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' };

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Parses and runs `text` as the template named `name`; errors carry Go's wording. */
export function executeTemplate(name: string, text: string, data: GoValue, functions: Record<string, FunctionSpec> = BUILTINS): string {
  let tree: Node[];
  try {
    tree = parseTemplate(text, new Set(Object.keys(functions)));
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new TemplateError(`template: ${name}:${e.line}: ${e.detail}`);
    throw e;
  }
  return new State(name, text, functions, data).run(tree);
}

class BreakLoop {}
class ContinueLoop {}

class State {
  private out = '';
  private vars: { name: string; value: GoValue }[] = [];
  private at: { pos: number; line: number; context: string } | undefined;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly functions: Record<string, FunctionSpec>,
    data: GoValue,
  ) {
    this.vars.push({ name: '$', value: data });
  }

  run(tree: Node[]): string {
    this.walkList(this.vars[0]!.value, tree);
    return this.out;
  }

  private fail(detail: string): never {
    const at = this.at;
    if (!at) throw new TemplateError(`template: ${this.name}: ${detail}`);
    const before = this.text.slice(0, at.pos);
    const nl = before.lastIndexOf('\n');
    const col = nl === -1 ? at.pos : at.pos - (nl + 1);
    throw new TemplateError(`template: ${this.name}:${at.line}:${col}: executing "${this.name}" at <${at.context}>: ${detail}`);
  }

  private setAt(node: ArgNode | CommandNode | PipeNode): void {
    this.at = { pos: node.pos, line: node.line, context: nodeString(node) };
  }

  private walkList(dot: GoValue, list: Node[]): void {
    for (const n of list) this.walk(dot, n);
  }

  private walk(dot: GoValue, n: Node): void {
    switch (n.type) {
      case 'text':
        this.out += n.text;
        return;
      case 'action': {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += formatValue(v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        if (isTrue(v)) this.walkList(n.type === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, n);
        return;
      case 'break':
        throw new BreakLoop();
      case 'continue':
        throw new ContinueLoop();
    }
  }

  private walkRange(dot: GoValue, n: ControlNode): void {
    const mark = this.vars.length;
    this.setAt(n.pipe);
    const v = this.evalPipeline(dot, { ...n.pipe, decl: [] });
    const items: [GoValue, GoValue][] = [];
    if (typeof v === 'number' && Number.isInteger(v)) for (let i = 0; i < v; i++) items.push([i, i]);
    else if (v !== null && typeof v === 'object' && v.kind === 'map') for (const k of [...v.entries.keys()].sort()) items.push([k, v.entries.get(k)!]);
    else if (v !== null) this.fail(`range can't iterate over ${formatValue(v, false)}`);
    if (items.length === 0) {
      if (n.elseList) this.walkList(dot, n.elseList);
      this.vars.length = mark;
      return;
    }
    for (const [key, elem] of items) {
      if (n.pipe.decl.length === 1) this.vars.push({ name: n.pipe.decl[0]!, value: elem });
      if (n.pipe.decl.length === 2) this.vars.push({ name: n.pipe.decl[0]!, value: key }, { name: n.pipe.decl[1]!, value: elem });
      try {
        this.walkList(elem, n.list);
      } catch (e) {
        if (e instanceof BreakLoop) break;
        if (!(e instanceof ContinueLoop)) throw e;
      } finally {
        this.vars.length = mark;
      }
    }
  }

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    let value: GoValue | undefined;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value ?? null;
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        const slot = [...this.vars].reverse().find((v) => v.name === name);
        if (slot) slot.value = result;
      } else {
        this.vars.push({ name, value: result });
      }
    }
    return result;
  }

  /** `final` is the previous command's result in a pipeline (passed as the last argument). */
  private evalCommand(dot: GoValue, cmd: CommandNode, final: GoValue | undefined): GoValue {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        this.notAFunction(cmd, final);
        return this.evalFieldChain(dot, first, first.idents);
      case 'variable': {
        this.notAFunction(cmd, final);
        return this.evalFieldChain(this.variable(first.name), first, first.idents);
      }
      case 'chain': {
        this.notAFunction(cmd, final);
        const base = first.node.type === 'pipe' ? this.evalPipeline(dot, first.node) : dot;
        return this.evalFieldChain(base, first, first.idents);
      }
      case 'identifier':
        return this.evalFunction(dot, cmd, first.name, final);
      case 'pipe':
        this.notAFunction(cmd, final);
        return this.evalPipeline(dot, first);
      default:
        this.setAt(first);
        this.notAFunction(cmd, final);
        return this.evalArg(dot, first);
    }
  }

  private notAFunction(cmd: CommandNode, final: GoValue | undefined): void {
    if (cmd.args.length > 1 || final !== undefined) {
      this.setAt(cmd.args[0]!);
      this.fail(`can't give argument to non-function ${nodeString(cmd.args[0]!)}`);
    }
  }

  private variable(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  private evalFieldChain(receiver: GoValue, node: ArgNode, idents: string[]): GoValue {
    this.setAt(node);
    let v = receiver;
    for (const ident of idents) v = this.evalField(v, ident);
    return v;
  }

  private evalField(receiver: GoValue, name: string): GoValue {
    if (receiver === null) this.fail(`nil data; no entry for key "${name}"`);
    if (typeof receiver === 'object') {
      if (receiver.kind === 'struct') {
        if (Object.hasOwn(receiver.fields, name)) return receiver.fields[name]!;
      } else {
        if (receiver.entries.has(name)) return receiver.entries.get(name)!;
        this.fail(`map has no entry for key "${name}"`);
      }
    }
    this.fail(`can't evaluate field ${name} in type ${typeOf(receiver)}`);
  }

  private evalFunction(dot: GoValue, cmd: CommandNode, name: string, final: GoValue | undefined): GoValue {
    const spec = this.functions[name]!;
    const argNodes = cmd.args.slice(1);
    const want = spec.arity;
    const got = argNodes.length + (final !== undefined ? 1 : 0);
    this.setAt(cmd.args[0]!);
    if (spec.variadic ? got < want : got !== want) {
      this.fail(`wrong number of args for ${name}: want ${spec.variadic ? 'at least ' : ''}${want} got ${got}`);
    }
    // and/or evaluate lazily since Go 1.18.
    if (name === 'and' || name === 'or') {
      let v: GoValue = null;
      for (const a of argNodes) {
        v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== undefined) v = final;
      return v;
    }
    const args = argNodes.map((a) => this.evalArg(dot, a));
    if (final !== undefined) args.push(final);
    if (spec.stringArgs) {
      for (const a of args) if (typeof a !== 'string') this.fail(`wrong type for value; expected string; got ${typeOf(a)}`);
    }
    try {
      return spec.fn(...args);
    } catch (e) {
      this.setAt(cmd);
      this.fail(`error calling ${name}: ${(e as Error).message}`);
    }
  }

  private evalArg(dot: GoValue, n: ArgNode): GoValue {
    this.setAt(n);
    switch (n.type) {
      case 'dot':
        return dot;
      case 'nil':
        this.fail('cannot assign nil to interface {}');
        break;
      case 'field':
        return this.evalFieldChain(dot, n, n.idents);
      case 'variable':
        return this.evalFieldChain(this.variable(n.name), n, n.idents);
      case 'chain':
        return this.evalFieldChain(n.node.type === 'pipe' ? this.evalPipeline(dot, n.node) : dot, n, n.idents);
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, { type: 'command', args: [n], pos: n.pos, line: n.line }, n.name, undefined);
      case 'string':
      case 'number':
      case 'bool':
        return n.value;
    }
    return null;
  }
}

function goLen(v: GoValue): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (v !== null && typeof v === 'object' && v.kind === 'map') return v.entries.size;
  throw new Error(`len of type ${typeOf(v)}`);
}

function goIndex(item: GoValue, keys: GoValue[]): GoValue {
  let v = item;
  for (const k of keys) {
    if (v !== null && typeof v === 'object' && v.kind === 'map') {
      if (typeof k !== 'string') throw new Error(`value has type ${typeOf(k)}; should be string`);
      v = v.entries.get(k) ?? v.elemZero;
    } else if (typeof v === 'string') {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new Error(`cannot index slice/array with type ${typeOf(k)}`);
      if (k < 0 || k >= v.length) throw new Error(`index out of range: ${k}`);
      v = Buffer.from(v)[k]!;
    } else if (v === null) {
      throw new Error('index of untyped nil');
    } else {
      throw new Error(`can't index item of type ${typeOf(v)}`);
    }
  }
  return v;
}

function compare(op: string, a: GoValue, b: GoValue): number {
  const basic = (v: GoValue) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (!basic(a) || !basic(b)) {
    if (op === 'eq' || op === 'ne') throw new Error('incompatible types for comparison');
    throw new Error('invalid type for comparison');
  }
  if (typeof a !== typeof b) throw new Error('incompatible types for comparison');
  if (typeof a === 'boolean' && op !== 'eq' && op !== 'ne') throw new Error('invalid type for comparison');
  return a === b ? 0 : (a as number | string) < (b as number | string) ? -1 : 1;
}

export function nodeString(n: ArgNode | CommandNode | PipeNode): string {
  switch (n.type) {
    case 'field':
      return n.idents.map((i) => `.${i}`).join('');
    case 'variable':
      return n.name + n.idents.map((i) => `.${i}`).join('');
    case 'dot':
      return '.';
    case 'identifier':
      return n.name;
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
    case 'bool':
      return String(n.value);
    case 'nil':
      return 'nil';
    case 'chain':
      return (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.idents.map((i) => `.${i}`).join('');
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length ? `${n.decl.join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      return decl + n.cmds.map((c) => nodeString(c)).join(' | ');
    }
  }
}
