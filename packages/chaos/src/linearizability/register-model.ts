// The compare-and-set register the search checks against. Register values are interned to small
// integer codes per key (code 0 is null: the key absent, the initial value), so a model state is
// one integer and a step is a couple of comparisons.

import { HistoryError } from '../history.js';
import type { Operation } from '../types.js';

export const READ = 0;
export const WRITE = 1;
export const CAS = 2;
export type RegisterKind = typeof READ | typeof WRITE | typeof CAS;

/** The model's answer for an operation that cannot take effect in the given state. */
export const REJECT = -1;

export const REGISTER_FUNCTIONS: ReadonlySet<string> = new Set(['read', 'write', 'cas']);

/** One register operation ready for the search: only `ok` and `info` ones get this far. */
export interface RegisterOp {
  op: Operation;
  kind: RegisterKind;
  /** Indeterminate: may take effect at any point after its invoke, or never. */
  info: boolean;
  /** read: the value code it returned; write: the code it wrote; cas: the `from` code. */
  a: number;
  /** cas: the `to` code (unused otherwise). */
  b: number;
  /** Positions of the invoke and the completion in the history (Infinity for info). */
  callPos: number;
  retPos: number;
}

type Primitive = null | number | string | boolean;

function isPrimitive(v: unknown): v is Primitive {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** Interns a key's register values; code 0 is null. */
export class ValueCodes {
  private readonly codes = new Map<Primitive, number>([[null, 0]]);
  private readonly values: Primitive[] = [null];

  code(v: Primitive): number {
    let c = this.codes.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(v, c);
      this.values.push(v);
    }
    return c;
  }

  value(code: number): Primitive {
    return this.values[code];
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * Turns a paired operation into a RegisterOp, or null when it cannot affect the verdict: a failed
 * operation never took effect, and an indeterminate read changes nothing.
 */
export function toRegisterOp(op: Operation, codes: ValueCodes): RegisterOp | null {
  if (op.status === 'fail' || (op.status === 'info' && op.f === 'read')) return null;
  const line = `history line ${op.invokeIndex + 1}`;
  const info = op.status === 'info';
  const make = (kind: RegisterKind, a: number, b: number): RegisterOp => ({
    op,
    kind,
    info,
    a,
    b,
    callPos: op.invokeIndex,
    retPos: info ? Infinity : (op.completeIndex as number),
  });
  switch (op.f) {
    case 'read':
      if (!isPrimitive(op.output)) throw new HistoryError(`${line}: an ok read must complete with [key, value], got value ${JSON.stringify(op.output)}`);
      return make(READ, codes.code(op.output), 0);
    case 'write':
      if (!isPrimitive(op.input)) throw new HistoryError(`${line}: a write's value must be [key, value], got value ${JSON.stringify(op.input)}`);
      return make(WRITE, codes.code(op.input), 0);
    case 'cas': {
      const x = op.input;
      if (!Array.isArray(x) || x.length !== 2 || !isPrimitive(x[0]) || !isPrimitive(x[1])) {
        throw new HistoryError(`${line}: a cas value must be [key, [from, to]], got value ${JSON.stringify(x)}`);
      }
      return make(CAS, codes.code(x[0]), codes.code(x[1]));
    }
    default:
      throw new HistoryError(`${line}: "${op.f}" is not a register operation (read, write, cas)`);
  }
}

/** The register's transition: the next state code, or REJECT when `op` cannot happen in `state`. */
export function step(state: number, kind: number, a: number, b: number, info: boolean): number {
  if (kind === READ) return state === a ? state : REJECT;
  if (kind === WRITE) return a;
  // An indeterminate CAS that finds another value simply failed; a known-ok one cannot have.
  if (state === a) return b;
  return info ? state : REJECT;
}
