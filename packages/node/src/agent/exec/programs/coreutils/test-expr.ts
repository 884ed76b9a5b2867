// Condition and arithmetic utilities: test / [ (file tests, string and integer comparisons,
// ! -a -o and parentheses) and expr.

import type { Program } from '../../process.js';
import { fail } from './common.js';

/** test / [: file tests, string and integer comparisons, ! -a -o and parentheses. */
export const test: Program = async (proc) => {
  const name = proc.argv[0]!.slice(proc.argv[0]!.lastIndexOf('/') + 1);
  let args = proc.argv.slice(1);
  if (name === '[') {
    if (args.at(-1) !== ']') return fail(proc, 'missing ]', 2);
    args = args.slice(0, -1);
  }
  try {
    return (await evalTest(args, proc)) ? 0 : 1;
  } catch (e) {
    return fail(proc, (e as Error).message, 2);
  }
};

async function evalTest(args: string[], proc: Parameters<Program>[0]): Promise<boolean> {
  let i = 0;
  const fs = proc.sys.fs;
  const int = (s: string) => {
    if (!/^\s*-?\d+\s*$/.test(s)) throw new Error(`${s}: integer expected`);
    return Number(s);
  };
  const primary = async (): Promise<boolean> => {
    const a = args[i];
    if (a === undefined) return false;
    if (a === '!') {
      i++;
      return !(await primary());
    }
    if (a === '(') {
      i++;
      const v = await orExpr();
      if (args[i] !== ')') throw new Error(`')' expected`);
      i++;
      return v;
    }
    const op = args[i + 1];
    const rhs = args[i + 2];
    if (op !== undefined && rhs !== undefined && ['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '<', '>'].includes(op)) {
      i += 3;
      switch (op) {
        case '=':
        case '==':
          return a === rhs;
        case '!=':
          return a !== rhs;
        case '<':
          return a < rhs;
        case '>':
          return a > rhs;
        case '-eq':
          return int(a) === int(rhs);
        case '-ne':
          return int(a) !== int(rhs);
        case '-lt':
          return int(a) < int(rhs);
        case '-le':
          return int(a) <= int(rhs);
        case '-gt':
          return int(a) > int(rhs);
        default:
          return int(a) >= int(rhs);
      }
    }
    if (/^-[a-zA-Z]$/.test(a) && op !== undefined) {
      i += 2;
      if (a === '-n') return op.length > 0;
      if (a === '-z') return op.length === 0;
      try {
        const st = await fs.stat(op, proc.cwd);
        switch (a) {
          case '-e':
          case '-r':
          case '-w':
            return true;
          case '-f':
            return st.isFile();
          case '-d':
            return st.isDirectory();
          case '-s':
            return st.size > 0;
          case '-x':
            return (st.mode & 0o111) !== 0;
          case '-L':
          case '-h':
            return st.isSymbolicLink();
          default:
            throw new Error(`${a}: unary operator expected`);
        }
      } catch (e) {
        if ((e as Error).message.includes('operator expected')) throw e;
        return false;
      }
    }
    i++;
    return a.length > 0;
  };
  const andExpr = async (): Promise<boolean> => {
    let v = await primary();
    while (args[i] === '-a') {
      i++;
      const r = await primary();
      v = v && r;
    }
    return v;
  };
  const orExpr = async (): Promise<boolean> => {
    let v = await andExpr();
    while (args[i] === '-o') {
      i++;
      const r = await andExpr();
      v = v || r;
    }
    return v;
  };
  const result = await orExpr();
  if (i < args.length) throw new Error(`${args[i]}: unknown operand`);
  return result;
}

/** expr with integer arithmetic, comparisons and `length`. */
export const expr: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let i = 0;
  const isInt = (s: string) => /^-?\d+$/.test(s);
  const atom = (): string => {
    const a = args[i++];
    if (a === undefined) throw new Error('syntax error');
    if (a === '(') {
      const v = orE();
      if (args[i++] !== ')') throw new Error('syntax error');
      return v;
    }
    if (a === 'length') return String((args[i++] ?? '').length);
    return a;
  };
  const mul = (): string => {
    let v = atom();
    while (['*', '/', '%'].includes(args[i] ?? '')) {
      const op = args[i++]!;
      const r = atom();
      if (!isInt(v) || !isInt(r)) throw new Error('non-numeric argument');
      if ((op === '/' || op === '%') && Number(r) === 0) throw new Error('division by zero');
      const a = BigInt(v);
      const b = BigInt(r);
      v = String(op === '*' ? a * b : op === '/' ? a / b : a % b);
    }
    return v;
  };
  const add = (): string => {
    let v = mul();
    while (args[i] === '+' || args[i] === '-') {
      const op = args[i++]!;
      const r = mul();
      if (!isInt(v) || !isInt(r)) throw new Error('non-numeric argument');
      v = String(op === '+' ? BigInt(v) + BigInt(r) : BigInt(v) - BigInt(r));
    }
    return v;
  };
  const cmp = (): string => {
    let v = add();
    while (['=', '!=', '<', '<=', '>', '>='].includes(args[i] ?? '')) {
      const op = args[i++]!;
      const r = add();
      const numeric = isInt(v) && isInt(r);
      const c = numeric ? Number(BigInt(v) - BigInt(r)) : v < r ? -1 : v > r ? 1 : 0;
      const ok = op === '=' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      v = ok ? '1' : '0';
    }
    return v;
  };
  const andE = (): string => {
    let v = cmp();
    while (args[i] === '&') {
      i++;
      const r = cmp();
      v = v !== '' && v !== '0' && r !== '' && r !== '0' ? v : '0';
    }
    return v;
  };
  const orE = (): string => {
    let v = andE();
    while (args[i] === '|') {
      i++;
      const r = andE();
      v = v !== '' && v !== '0' ? v : r !== '' && r !== '0' ? r : '0';
    }
    return v;
  };
  try {
    if (args.length === 0) throw new Error('syntax error');
    const v = orE();
    if (i < args.length) throw new Error('syntax error');
    proc.out(`${v}\n`);
    return v === '' || v === '0' ? 1 : 0;
  } catch (e) {
    return fail(proc, (e as Error).message, 2);
  }
};
