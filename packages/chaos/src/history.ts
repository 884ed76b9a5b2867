// history.jsonl: one Jepsen operation record per line. Reading validates every line (a bad one is
// an error naming its line number) and pairing turns invoke/completion lines into operations.

import { readFile, rename, writeFile } from 'node:fs/promises';
import type { HistoryOp, Operation } from './types.js';

export class HistoryError extends Error {
  override name = 'HistoryError';
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

function lineError(line: number, what: string): HistoryError {
  return new HistoryError(`line ${line}: ${what}`);
}

/** Checks one parsed line against the HistoryOp shape; `line` is 1-based, for the error. */
function toHistoryOp(x: unknown, line: number, index: number): HistoryOp {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw lineError(line, 'not a JSON object');
  const o = x as Record<string, unknown>;
  if (!Number.isSafeInteger(o.process) || (o.process as number) < 0) throw lineError(line, `"process" must be a non-negative integer, got ${JSON.stringify(o.process)}`);
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) throw lineError(line, `"type" must be invoke, ok, fail or info, got ${JSON.stringify(o.type)}`);
  if (typeof o.f !== 'string' || o.f === '') throw lineError(line, `"f" must be a non-empty string, got ${JSON.stringify(o.f)}`);
  if (typeof o.time !== 'number' || !Number.isFinite(o.time)) throw lineError(line, `"time" must be a number (ns), got ${JSON.stringify(o.time)}`);
  for (const field of ['node', 'error'] as const) {
    if (o[field] !== undefined && typeof o[field] !== 'string') throw lineError(line, `"${field}" must be a string when present`);
  }
  const op: HistoryOp = { process: o.process as number, type: o.type as HistoryOp['type'], f: o.f, value: o.value ?? null, time: o.time, index };
  if (o.node !== undefined) op.node = o.node as string;
  if (o.error !== undefined) op.error = o.error as string;
  return op;
}

/** Parses history.jsonl text. Blank lines are skipped; `index` counts operations from 0. */
export function parseHistory(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw lineError(i + 1, `not valid JSON (${(e as Error).message})`);
    }
    ops.push(toHistoryOp(parsed, i + 1, ops.length));
  }
  return ops;
}

export async function readHistory(path: string): Promise<HistoryOp[]> {
  const text = await readFile(path, 'utf8');
  try {
    return parseHistory(text);
  } catch (e) {
    if (e instanceof HistoryError) throw new HistoryError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Writes the history (without the read-time `index`) through a temporary file, so a reader never
 * sees half a file. */
export async function writeHistory(path: string, ops: readonly HistoryOp[]): Promise<void> {
  const text = ops.map(({ index: _index, ...line }) => JSON.stringify(line)).join('\n');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, ops.length ? `${text}\n` : '');
  await rename(tmp, path);
}

/** `[key, x]` with a string key splits into key and x; anything else has no key. */
function splitKeyed(value: unknown): { key: string | null; rest: unknown } {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') return { key: value[0], rest: value[1] };
  return { key: null, rest: value };
}

/** Where a line sits: its `index` when read from a file, else its position in the array. */
function positionOf(op: HistoryOp, i: number): number {
  return op.index ?? i;
}

/**
 * Pairs each invoke with the next completion of the same process (a process has at most one
 * operation outstanding). An invoke never completed becomes `info`: it may have taken effect.
 * Operations come back in invoke order.
 */
export function pairOperations(history: readonly HistoryOp[]): Operation[] {
  const ops: Operation[] = [];
  const open = new Map<number, Operation>();
  for (let i = 0; i < history.length; i++) {
    const line = history[i];
    const at = positionOf(line, i);
    const where = `history line ${at + 1}`;
    if (line.type === 'invoke') {
      const pending = open.get(line.process);
      if (pending) throw new HistoryError(`${where}: process ${line.process} invokes ${line.f} while its ${pending.f} from line ${pending.invokeIndex + 1} is still open`);
      const { key, rest } = splitKeyed(line.value);
      const op: Operation = { process: line.process, f: line.f, key, input: rest, output: undefined, call: line.time, ret: Infinity, status: 'info', invokeIndex: at, completeIndex: null };
      if (line.node !== undefined) op.node = line.node;
      open.set(line.process, op);
      ops.push(op);
      continue;
    }
    const op = open.get(line.process);
    if (!op) throw new HistoryError(`${where}: ${line.type} completion for process ${line.process} without an open invoke`);
    if (op.f !== line.f) throw new HistoryError(`${where}: process ${line.process} completes ${line.f} but invoked ${op.f} at line ${op.invokeIndex + 1}`);
    if (line.time < op.call) throw new HistoryError(`${where}: completes at ${line.time} ns, before its invoke at ${op.call} ns`);
    const { key, rest } = splitKeyed(line.value);
    if (key !== null && op.key !== null && key !== op.key) throw new HistoryError(`${where}: completes key "${key}" but invoked key "${op.key}"`);
    open.delete(line.process);
    op.status = line.type;
    op.output = rest;
    op.completeIndex = at;
    op.ret = line.type === 'info' ? Infinity : line.time;
    if (line.error !== undefined) op.error = line.error;
  }
  return ops;
}
