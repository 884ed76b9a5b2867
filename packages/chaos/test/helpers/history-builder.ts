// Builds register histories line by line for tests: each call appends one history line with a
// strictly increasing time, so line order is real-time order.

import type { HistoryOp } from '../../src/types.js';

export class HistoryBuilder {
  readonly lines: HistoryOp[] = [];
  private t = 0;

  private push(process: number, type: HistoryOp['type'], f: string, value: unknown): this {
    this.t += 1_000_000;
    this.lines.push({ process, type, f, value, time: this.t });
    return this;
  }

  invokeRead(p: number, key = 'x'): this {
    return this.push(p, 'invoke', 'read', [key, null]);
  }
  invokeWrite(p: number, v: number | null, key = 'x'): this {
    return this.push(p, 'invoke', 'write', [key, v]);
  }
  invokeCas(p: number, from: number | null, to: number, key = 'x'): this {
    return this.push(p, 'invoke', 'cas', [key, [from, to]]);
  }
  /** Completes process p's open operation; `value` is the completion's value ([key, v] etc.). */
  complete(p: number, type: 'ok' | 'fail' | 'info', f: string, value: unknown): this {
    return this.push(p, type, f, value);
  }
  readOk(p: number, v: number | null, key = 'x'): this {
    return this.complete(p, 'ok', 'read', [key, v]);
  }
  writeDone(p: number, type: 'ok' | 'fail' | 'info', v: number | null, key = 'x'): this {
    return this.complete(p, type, 'write', [key, v]);
  }
  casDone(p: number, type: 'ok' | 'fail' | 'info', from: number | null, to: number, key = 'x'): this {
    return this.complete(p, type, 'cas', [key, [from, to]]);
  }

  /** A whole operation with nothing concurrent. */
  read(p: number, v: number | null, key = 'x'): this {
    return this.invokeRead(p, key).readOk(p, v, key);
  }
  write(p: number, v: number, key = 'x', type: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.invokeWrite(p, v, key).writeDone(p, type, v, key);
  }
  cas(p: number, from: number | null, to: number, type: 'ok' | 'fail' | 'info' = 'ok', key = 'x'): this {
    return this.invokeCas(p, from, to, key).casDone(p, type, from, to, key);
  }
}
