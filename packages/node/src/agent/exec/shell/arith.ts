// $(( … )): shell arithmetic on integers with C precedence, variables by name, assignments
// (= += -= …) and ++/--, as ash and dash evaluate it.

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Tok = { k: 'num'; v: bigint } | { k: 'id'; v: string } | { k: 'op'; v: string };

const OPS = ['<<=', '>>=', '**', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '(', ')', '<', '>', '!', '~', '&', '|', '^', '?', ':', '=', ','];

function lexArith(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(src.slice(i));
    if (num && /[0-9]/.test(c)) {
      if (/[A-Za-z0-9_]/.test(src[i + num[0].length] ?? '')) throw new ArithError(`arithmetic syntax error`);
      const text = num[0];
      toks.push({ k: 'num', v: text.length > 1 && text.startsWith('0') && !/^0[xX]/.test(text) ? BigInt(`0o${text.slice(1)}`) : BigInt(text) });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      toks.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ArithError('arithmetic syntax error');
    toks.push({ k: 'op', v: op });
    i += op.length;
  }
  return toks;
}

const BINARY: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
  '**': 11,
};

/** Evaluates `src`; the result as the shell prints it (a decimal integer). */
export function evalArith(src: string, vars: ArithVars): string {
  if (src.trim() === '') return '0';
  const toks = lexArith(src);
  let i = 0;
  const peek = () => toks[i];
  const isOp = (v: string) => peek()?.k === 'op' && peek()!.v === v;
  const varValue = (name: string): bigint => {
    const raw = (vars.get(name) ?? '').trim();
    if (raw === '') return 0n;
    if (/^-?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(raw)) return BigInt(raw);
    // A variable holding an expression is evaluated in turn, as ash does.
    return BigInt(evalArith(raw, vars));
  };
  const wrap = (v: bigint) => BigInt.asIntN(64, v);

  const assignment = (): bigint => {
    const t = peek();
    const after = toks[i + 1];
    if (t?.k === 'id' && after?.k === 'op' && /^([+\-*/%&|^]|<<|>>)?=$/.test(after.v)) {
      i += 2;
      const rhs = assignment();
      const op = after.v.slice(0, -1);
      const value = op ? binary(op, varValue(t.v), rhs) : rhs;
      vars.set(t.v, String(value));
      return value;
    }
    return ternary();
  };
  const ternary = (): bigint => {
    const cond = climb(1);
    if (!isOp('?')) return cond;
    i++;
    const a = assignment();
    if (!isOp(':')) throw new ArithError('arithmetic syntax error');
    i++;
    const b = assignment();
    return cond !== 0n ? a : b;
  };
  const climb = (minPrec: number): bigint => {
    let left = unary();
    for (;;) {
      const t = peek();
      if (t?.k !== 'op') break;
      const prec = BINARY[t.v];
      if (prec === undefined || prec < minPrec) break;
      i++;
      // ** is right-associative.
      const right = climb(t.v === '**' ? prec : prec + 1);
      left = binary(t.v, left, right);
    }
    return left;
  };
  const unary = (): bigint => {
    const t = peek();
    if (t?.k === 'op') {
      if (t.v === '-' || t.v === '+' || t.v === '!' || t.v === '~') {
        i++;
        const v = unary();
        return t.v === '-' ? wrap(-v) : t.v === '+' ? v : t.v === '!' ? (v === 0n ? 1n : 0n) : wrap(~v);
      }
      if (t.v === '++' || t.v === '--') {
        i++;
        const id = peek();
        if (id?.k !== 'id') throw new ArithError('arithmetic syntax error');
        i++;
        const v = wrap(varValue(id.v) + (t.v === '++' ? 1n : -1n));
        vars.set(id.v, String(v));
        return v;
      }
      if (t.v === '(') {
        i++;
        const v = comma();
        if (!isOp(')')) throw new ArithError('arithmetic syntax error');
        i++;
        return v;
      }
      throw new ArithError('arithmetic syntax error');
    }
    if (!t) throw new ArithError('arithmetic syntax error');
    i++;
    if (t.k === 'num') return t.v;
    const v = varValue(t.v);
    if (isOp('++') || isOp('--')) {
      const op = peek()!.v;
      i++;
      vars.set(t.v, String(wrap(v + (op === '++' ? 1n : -1n))));
    }
    return v;
  };
  const binary = (op: string, a: bigint, b: bigint): bigint => {
    switch (op) {
      case '+':
        return wrap(a + b);
      case '-':
        return wrap(a - b);
      case '*':
        return wrap(a * b);
      case '/':
      case '%':
        if (b === 0n) throw new ArithError('divide by zero');
        return op === '/' ? a / b : a % b;
      case '**':
        if (b < 0n) throw new ArithError('exponent less than 0');
        return wrap(a ** b);
      case '<<':
        return wrap(a << b);
      case '>>':
        return a >> b;
      case '<':
        return a < b ? 1n : 0n;
      case '>':
        return a > b ? 1n : 0n;
      case '<=':
        return a <= b ? 1n : 0n;
      case '>=':
        return a >= b ? 1n : 0n;
      case '==':
        return a === b ? 1n : 0n;
      case '!=':
        return a !== b ? 1n : 0n;
      case '&':
        return a & b;
      case '|':
        return a | b;
      case '^':
        return a ^ b;
      case '&&':
        return a !== 0n && b !== 0n ? 1n : 0n;
      case '||':
        return a !== 0n || b !== 0n ? 1n : 0n;
      default:
        throw new ArithError('arithmetic syntax error');
    }
  };
  const comma = (): bigint => {
    let v = assignment();
    while (isOp(',')) {
      i++;
      v = assignment();
    }
    return v;
  };

  const result = comma();
  if (i < toks.length) throw new ArithError('arithmetic syntax error');
  return String(result);
}
