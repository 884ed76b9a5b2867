// Wing & Gong's linearizability search with Lowe's and Porcupine's improvements, on one key.
//
// Definite operations sit in a doubly linked list of call and return entries in history order.
// At each point the search may linearize any operation whose call comes before the first pending
// return; it does so by lifting both entries out of the list (undone by putting them back), and
// remembers every (linearized set, state) it reached so it never explores one twice. Reaching a
// return entry whose operation nobody could linearize means backtracking.
//
// Indeterminate operations have no return entry: they never have to be linearized (the list
// emptying of definite operations is success), and the search tries them only after every
// definite candidate at a point. Three rules keep the orders it considers few without losing any
// verdict, each because some legal order of the required shape exists whenever any does (the
// cache's subsumption is the fourth, see state-cache.ts):
// - a read that can take effect now is taken, with no alternative tried (it changes nothing);
// - an indeterminate operation is only placed right before an operation that observes the value
//   it leaves (a read of it, or a CAS from it): one whose value nobody observes before the next
//   write can move to the very end, where taking effect is the same as never taking effect;
// - indeterminate operations with the same effect are interchangeable, so the earlier-invoked
//   one is used first: k pending ones with one effect give k+1 choices, not 2^k subsets; and one
//   that would leave the value unchanged is never used.

import { EntryList, HEAD, InfoList, NIL } from './entry-lists.js';
import { LinearizedSet, zobristKeys } from './linearized-set.js';
import { CAS, READ, REJECT, step, type RegisterOp } from './register-model.js';
import { SearchPath } from './search-path.js';
import { StateCache } from './state-cache.js';

export interface SearchBudget {
  maxSteps: number;
  /** performance.now() value after which the search gives up. */
  deadline: number;
  maxCacheEntries: number;
  maxCacheBytes: number;
  /** Give up ('stalled') after this many steps without linearizing more ops than ever before. */
  stallSteps?: number;
}

/** The deepest point the search reached: where the history stopped being explainable. */
export interface DeepestPoint {
  /** Operations linearized there, and the last few of them in order with the state after each. */
  depth: number;
  tail: { op: RegisterOp; stateAfter: number }[];
  state: number;
  /** The operation whose return was reached without any legal order including it. */
  stuck: RegisterOp;
  /** Which operations were linearized at that point. */
  linearized: Set<RegisterOp>;
}

export interface SearchOutcome {
  verdict: 'valid' | 'invalid' | 'unknown';
  /** When unknown: which budget ran out. */
  exhausted?: 'steps' | 'time' | 'cache-entries' | 'cache-bytes' | 'stalled';
  steps: number;
  cacheEntries: number;
  cacheBytes: number;
  deepest?: DeepestPoint;
}

/** SearchPath.bound of a forced choice (a read taken with no alternative). */
const FORCED = -2;
const TAIL_LENGTH = 8;
const CLOCK_EVERY = 1024;

/** For each indeterminate op, the previous one (in invoke order) with the same effect, or NIL. */
function previousTwins(info: readonly RegisterOp[]): Int32Array {
  const twins = new Int32Array(info.length).fill(NIL);
  const last = new Map<string, number>();
  info.forEach((o, i) => {
    const effect = `${o.kind}:${o.a}:${o.b}`;
    twins[i] = last.get(effect) ?? NIL;
    last.set(effect, i);
  });
  return twins;
}

export interface SearchMode {
  /**
   * Relaxed: an indeterminate op may take effect any number of times (each at any point after its
   * invoke). It allows more than the real semantics, so "invalid" under it is a proof; and its
   * points are only (definite set, state), which keeps an exhaustive search small.
   */
  reusableIndeterminate?: boolean;
}

export function searchKey(ops: readonly RegisterOp[], budget: SearchBudget, mode: SearchMode = {}): SearchOutcome {
  const reusable = mode.reusableIndeterminate === true;
  const ok = ops.filter((o) => !o.info).sort((x, y) => x.callPos - y.callPos);
  const info = ops.filter((o) => o.info).sort((x, y) => x.callPos - y.callPos);
  const m = ok.length;
  const n = m + info.length;
  // Search ids: definite ops 0..m-1, indeterminate ones m..n-1.
  const byId = [...ok, ...info];
  const kind = new Uint8Array(n);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  byId.forEach((o, id) => {
    kind[id] = o.kind;
    a[id] = o.a;
    b[id] = o.b;
  });
  const twin = previousTwins(info);

  const list = new EntryList(ok);
  const infoList = new InfoList(info);
  const set = new LinearizedSet(m, info.length, zobristKeys(n, 0x51ed270b), zobristKeys(n, 0x2545f491));
  const cache = new StateCache(set.infoWords);
  const path = new SearchPath(n);
  let state = 0;
  let steps = 0;
  let deepest: DeepestPoint | undefined;
  let deepestWords: Uint32Array | undefined;
  let maxDepth = 0;
  let deepenedAt = 0; // the step that last reached a new maximum depth
  const stallSteps = budget.stallSteps ?? Infinity;

  const result = (verdict: SearchOutcome['verdict'], exhausted?: SearchOutcome['exhausted']): SearchOutcome => {
    const out: SearchOutcome = { verdict, steps, cacheEntries: cache.size, cacheBytes: cache.bytes };
    if (exhausted) out.exhausted = exhausted;
    if (deepest && deepestWords) {
      const linearized = new Set<RegisterOp>();
      const copy = new LinearizedSet(m, info.length, new Int32Array(n), new Int32Array(n));
      copy.words.set(deepestWords);
      for (let id = 0; id < n; id++) if (copy.has(id)) linearized.add(byId[id]);
      if (reusable) for (const x of deepest.tail) linearized.add(x.op);
      out.deepest = { ...deepest, linearized };
    }
    return out;
  };

  const noteDeepest = (stuckEntry: number) => {
    const depth = path.depth;
    if (deepest && depth <= deepest.depth) return;
    const tail: DeepestPoint['tail'] = [];
    for (let d = Math.max(0, depth - TAIL_LENGTH); d < depth; d++) {
      tail.push({ op: byId[path.op[d]], stateAfter: d + 1 < depth ? path.stateBefore[d + 1] : state });
    }
    deepest = { depth, tail, state, stuck: byId[list.opOf[stuckEntry]], linearized: new Set() };
    deepestWords = set.words.slice();
  };

  /**
   * Linearizes `id` unless a visited point covers the one it leads to. A point reached through an
   * indeterminate op admits only observers, so its cache key differs from the freer point with the
   * same state, which covers it.
   */
  const advance = (id: number, next: number, bound: number): boolean => {
    const observing = id >= m;
    const counted = !(observing && reusable);
    if (counted) set.add(id);
    const key = 2 * next + (observing ? 1 : 0);
    if (cache.covers(set, 2 * next) || (observing && cache.covers(set, key))) {
      if (counted) set.remove(id);
      return false;
    }
    cache.add(set, key);
    path.push(id, state, bound);
    state = next;
    if (path.depth > maxDepth) {
      maxDepth = path.depth;
      deepenedAt = steps;
    }
    return true;
  };

  const overBudget = (): SearchOutcome['exhausted'] => {
    if (cache.size > budget.maxCacheEntries) return 'cache-entries';
    if (cache.bytes > budget.maxCacheBytes) return 'cache-bytes';
    return undefined;
  };

  let entry = list.next[HEAD];
  let infoEntry = NIL;
  let bound = NIL; // the first pending return entry while trying indeterminate candidates
  let fresh = true; // at a point reached by linearizing, before any candidate was tried
  let observeOnly = false; // the last op placed was indeterminate: only its observers may follow
  const lastWasIndeterminate = () => path.depth > 0 && path.op[path.depth - 1] >= m;

  /** Undoes the last choice and resumes after it; choices that were forced are undone too, as
   * the point they were made at has no alternative. False when there is nothing left to undo. */
  const backtrack = (): boolean => {
    for (;;) {
      if (path.depth === 0) return false;
      path.depth--;
      const id = path.op[path.depth];
      const frame = path.bound[path.depth];
      state = path.stateBefore[path.depth];
      if (id < m) {
        set.remove(id);
        const e = list.callEntry[id];
        list.unlift(e);
        entry = list.next[e];
        bound = NIL;
      } else {
        const e = id - m + 1;
        if (!reusable) {
          set.remove(id);
          infoList.unlift(e);
        }
        infoEntry = infoList.next[e];
        bound = frame;
      }
      if (frame !== FORCED) {
        observeOnly = lastWasIndeterminate();
        return true;
      }
    }
  };

  while (list.next[HEAD] !== NIL) {
    steps++;
    if (steps % CLOCK_EVERY === 0) {
      if (steps > budget.maxSteps) return result('unknown', 'steps');
      if (performance.now() > budget.deadline) return result('unknown', 'time');
      if (steps - deepenedAt > stallSteps) return result('unknown', 'stalled');
    }
    if (fresh) {
      fresh = false;
      observeOnly = lastWasIndeterminate();
      // A read that can take effect here may as well, with no alternative tried: it changes no
      // state, and nothing that must precede it is pending (it is a candidate), so any legal
      // order from here can be rearranged to start with it.
      let e = list.next[HEAD];
      while (list.match[e] !== NIL && !(kind[list.opOf[e]] === READ && a[list.opOf[e]] === state)) e = list.next[e];
      if (list.match[e] !== NIL) {
        if (advance(list.opOf[e], state, FORCED)) {
          list.lift(e);
          fresh = true;
          const over = overBudget();
          if (over) return result('unknown', over);
        } else if (!backtrack()) return result('invalid'); // seen before, and it led nowhere
        continue;
      }
      entry = list.next[HEAD];
      bound = NIL;
    }
    if (bound === NIL) {
      // Definite candidates: call entries before the first pending return.
      if (list.match[entry] !== NIL) {
        const id = list.opOf[entry];
        const next = observeOnly && !(kind[id] === CAS && a[id] === state) ? REJECT : step(state, kind[id], a[id], b[id], false);
        if (next !== REJECT && advance(id, next, NIL)) {
          list.lift(entry);
          fresh = true;
          const over = overBudget();
          if (over) return result('unknown', over);
        } else entry = list.next[entry];
        continue;
      }
      bound = entry;
      infoEntry = infoList.next[HEAD];
      continue;
    }
    // Indeterminate candidates: invoked before that return, the earliest of each effect first.
    if (infoEntry !== NIL && infoList.pos[infoEntry] < list.pos[bound]) {
      const id = m + infoEntry - 1;
      const t = twin[infoEntry - 1];
      const eligible = t === NIL || (!reusable && set.has(m + t));
      if (eligible && !(observeOnly && !(kind[id] === CAS && a[id] === state))) {
        const next = step(state, kind[id], a[id], b[id], true);
        // One that leaves the value as it is would only use itself up.
        if (next !== REJECT && next !== state && advance(id, next, bound)) {
          if (!reusable) infoList.lift(infoEntry);
          fresh = true;
          const over = overBudget();
          if (over) return result('unknown', over);
          continue;
        }
      }
      infoEntry = infoList.next[infoEntry];
      continue;
    }
    // Nothing can be linearized here: the return at `bound` is impossible on this path.
    noteDeepest(bound);
    if (!backtrack()) return result('invalid');
  }
  return result('valid');
}
