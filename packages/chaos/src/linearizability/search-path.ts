// The search's current path: for each depth, the op placed there, the register state before it,
// and how the choice was made. Growable, since with reusable indeterminate ops (the relaxed
// search) the path can be longer than the number of ops.

export class SearchPath {
  op: Int32Array;
  stateBefore: Int32Array;
  /** For an indeterminate choice, the return entry that bounded the candidates; or a marker. */
  bound: Int32Array;
  depth = 0;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.op = new Int32Array(size);
    this.stateBefore = new Int32Array(size);
    this.bound = new Int32Array(size);
  }

  push(op: number, stateBefore: number, bound: number): void {
    if (this.depth === this.op.length) this.grow();
    this.op[this.depth] = op;
    this.stateBefore[this.depth] = stateBefore;
    this.bound[this.depth] = bound;
    this.depth++;
  }

  private grow(): void {
    const widen = (x: Int32Array) => {
      const y = new Int32Array(x.length * 2);
      y.set(x);
      return y;
    };
    this.op = widen(this.op);
    this.stateBefore = widen(this.stateBefore);
    this.bound = widen(this.bound);
  }
}
