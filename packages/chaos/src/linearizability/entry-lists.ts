// The doubly linked lists the search walks: definite operations' call and return entries in
// history order, and indeterminate operations' call entries (they have no return). Linearizing
// lifts entries out; backtracking puts them back (dancing links: undone in reverse order, the
// removed entries' own pointers still say where they belong).

import type { RegisterOp } from './register-model.js';

export const NIL = -1;
export const HEAD = 0;

/** The linked list of definite operations' call and return entries (entry 0 is the head). */
export class EntryList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** For a call entry, its return entry; NIL for a return entry. */
  readonly match: Int32Array;
  readonly opOf: Int32Array;
  readonly pos: Float64Array;
  readonly callEntry: Int32Array;

  constructor(ok: readonly RegisterOp[]) {
    const events: { pos: number; op: number; call: boolean }[] = [];
    ok.forEach((o, id) => events.push({ pos: o.callPos, op: id, call: true }, { pos: o.retPos, op: id, call: false }));
    events.sort((x, y) => x.pos - y.pos || (x.call === y.call ? 0 : x.call ? -1 : 1));
    const size = events.length + 1;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.match = new Int32Array(size).fill(NIL);
    this.opOf = new Int32Array(size).fill(NIL);
    this.pos = new Float64Array(size);
    this.callEntry = new Int32Array(ok.length);
    const returnEntry = new Int32Array(ok.length);
    events.forEach((ev, i) => {
      const e = i + 1;
      this.opOf[e] = ev.op;
      this.pos[e] = ev.pos;
      this.prev[e] = e - 1;
      this.next[e] = e + 1 < size ? e + 1 : NIL;
      if (ev.call) this.callEntry[ev.op] = e;
      else returnEntry[ev.op] = e;
    });
    this.next[HEAD] = size > 1 ? 1 : NIL;
    this.prev[HEAD] = NIL;
    for (let id = 0; id < ok.length; id++) this.match[this.callEntry[id]] = returnEntry[id];
  }

  /** Removes a call entry and its return entry. */
  lift(e: number): void {
    const { next, prev } = this;
    next[prev[e]] = next[e];
    if (next[e] !== NIL) prev[next[e]] = prev[e];
    const r = this.match[e];
    next[prev[r]] = next[r];
    if (next[r] !== NIL) prev[next[r]] = prev[r];
  }

  /** Puts back what `lift(e)` removed; lifts are undone in reverse order. */
  unlift(e: number): void {
    const { next, prev } = this;
    const r = this.match[e];
    next[prev[r]] = r;
    if (next[r] !== NIL) prev[next[r]] = r;
    next[prev[e]] = e;
    if (next[e] !== NIL) prev[next[e]] = e;
  }
}

/** The list of indeterminate operations' call entries in invoke order (entry 0 is the head). */
export class InfoList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly pos: Float64Array;

  constructor(info: readonly RegisterOp[]) {
    const size = info.length + 1;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.pos = new Float64Array(size);
    for (let e = 0; e < size; e++) {
      this.next[e] = e + 1 < size ? e + 1 : NIL;
      this.prev[e] = e - 1;
      if (e > 0) this.pos[e] = info[e - 1].callPos;
    }
  }

  lift(e: number): void {
    this.next[this.prev[e]] = this.next[e];
    if (this.next[e] !== NIL) this.prev[this.next[e]] = this.prev[e];
  }

  unlift(e: number): void {
    this.next[this.prev[e]] = e;
    if (this.next[e] !== NIL) this.prev[this.next[e]] = e;
  }
}
