// checkLinearizability: the register history, key by key, under a budget. It answers `unknown`
// rather than hang or exhaust memory: steps, wall time and cache size are all bounded.

import { HistoryError } from '../history.js';
import type { CheckResult, HistoryOp } from '../types.js';
import { linearizabilityEvidence, summarize } from './evidence.js';
import { prepareRegisterHistory, type KeyHistory, type PreparedHistory } from './prepare.js';
import { refuteRelaxed } from './refute.js';
import { searchKey, type SearchOutcome } from './search.js';

export interface LinearizabilityBudget {
  /** Search steps over all keys (one step tries one candidate or backtracks once). */
  maxSteps?: number;
  /** Wall time over all keys. */
  maxMs?: number;
  /** Cache entries per key, and the cache's memory per key. */
  maxCacheEntries?: number;
  maxCacheBytes?: number;
}

/** Sized so a 10,000-operation history with concurrency 8 takes well under a second, and a hard
 * one gives up in half a minute holding at most about half a gigabyte. */
export const DEFAULT_BUDGET: Required<LinearizabilityBudget> = {
  maxSteps: 200_000_000,
  maxMs: 30_000,
  maxCacheEntries: 8_000_000,
  maxCacheBytes: 512 * 1024 * 1024,
};

/** Cache references are 31-bit offsets into 4-byte words. */
const CACHE_BYTES_LIMIT = 4 * 1024 ** 3;

function resolveBudget(budget: LinearizabilityBudget): Required<LinearizabilityBudget> {
  const out = { ...DEFAULT_BUDGET, ...budget };
  for (const [name, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`linearizability budget: ${name} must be a positive number, got ${String(v)}`);
  }
  if (out.maxCacheBytes > CACHE_BYTES_LIMIT) throw new RangeError(`linearizability budget: maxCacheBytes is at most ${CACHE_BYTES_LIMIT}`);
  return out;
}

const count = (n: number) => n.toLocaleString('en-US');

interface KeyOutcome {
  k: KeyHistory;
  outcome: SearchOutcome;
  /** Set when the verdict came from the relaxed search around the point the search got stuck at. */
  relaxed?: boolean;
  steps: number;
}

/** Steps without getting deeper after which the search tries to refute its stuck point. */
function stallLimit(k: KeyHistory): number {
  return Math.max(100_000, 50 * k.ops.length);
}

/**
 * One key: the search, and if it stalls at one point, an attempt to prove that point impossible
 * with the relaxed search (refute.ts); failing that, the exact search again with what is left.
 */
function checkKey(k: KeyHistory, maxSteps: number, deadline: number, limits: Required<LinearizabilityBudget>): KeyOutcome {
  const caches = { maxCacheEntries: limits.maxCacheEntries, maxCacheBytes: limits.maxCacheBytes };
  const first = searchKey(k.ops, { maxSteps, deadline, ...caches, stallSteps: stallLimit(k) });
  if (first.exhausted !== 'stalled' || !first.deepest) return { k, outcome: first, steps: first.steps };
  const now = performance.now();
  const left = maxSteps - first.steps;
  const tried = refuteRelaxed(k, first.deepest.stuck, { maxSteps: Math.floor(left / 4), deadline: now + (deadline - now) / 4, ...caches });
  if (tried.verdict === 'invalid') return { k, outcome: tried, relaxed: true, steps: first.steps + tried.steps };
  const second = searchKey(k.ops, { maxSteps: left - tried.steps, deadline, ...caches });
  return { k, outcome: second, steps: first.steps + tried.steps + second.steps };
}

function statsOf(p: PreparedHistory, outcomes: KeyOutcome[], ms: number): Record<string, number> {
  const sum = (f: (k: KeyHistory) => number) => p.keys.reduce((s, k) => s + f(k), 0);
  return {
    ops: p.registerOps,
    keys: p.keys.length,
    searched: sum((k) => k.ops.length),
    indeterminate: sum((k) => k.indeterminate),
    droppedIndeterminate: sum((k) => k.dropped),
    ignoredOps: p.ignored,
    steps: outcomes.reduce((s, o) => s + o.steps, 0),
    ms: Math.round(ms),
    peakCacheEntries: outcomes.reduce((peak, o) => Math.max(peak, o.outcome.cacheEntries), 0),
    peakCacheBytes: outcomes.reduce((peak, o) => Math.max(peak, o.outcome.cacheBytes), 0),
  };
}

const EXHAUSTED: Record<NonNullable<SearchOutcome['exhausted']>, string> = {
  steps: 'its step budget',
  time: 'its time budget',
  'cache-entries': 'its cache-entry budget',
  'cache-bytes': 'its cache-memory budget',
  stalled: 'its budget',
};

export function checkLinearizability(ops: HistoryOp[], budget: LinearizabilityBudget = {}): CheckResult {
  const limits = resolveBudget(budget);
  const started = performance.now();
  let prepared: PreparedHistory;
  try {
    prepared = prepareRegisterHistory(ops);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    return { name: 'linearizability', verdict: 'unknown', summary: `cannot check the history: ${e.message}`, evidence: { error: e.message } };
  }

  // Small keys first, each with a fair share of what is left: one hard key cannot starve the
  // others, and an invalid key found early decides the verdict.
  const keys = [...prepared.keys].sort((x, y) => x.ops.length - y.ops.length);
  const outcomes: KeyOutcome[] = [];
  let stepsLeft = limits.maxSteps;
  for (let i = 0; i < keys.length; i++) {
    const share = keys.length - i;
    const now = performance.now();
    const msLeft = limits.maxMs - (now - started);
    const keyOutcome = checkKey(keys[i], Math.floor(stepsLeft / share), now + Math.max(0, msLeft / share), limits);
    stepsLeft -= keyOutcome.steps;
    outcomes.push(keyOutcome);
    if (keyOutcome.outcome.verdict === 'invalid') break;
  }
  const stats = statsOf(prepared, outcomes, performance.now() - started);

  const invalid = outcomes.find((o) => o.outcome.verdict === 'invalid');
  if (invalid && invalid.outcome.deepest) {
    const evidence = linearizabilityEvidence(invalid.k, invalid.outcome.deepest, invalid.relaxed === true);
    const relaxed = invalid.relaxed ? ', even if indeterminate operations could take effect repeatedly' : '';
    const where = `, with the register at ${JSON.stringify(evidence.valueBefore)} after ${count(evidence.prefixLength)} of ${count(evidence.searched)} operations${relaxed}`;
    return {
      name: 'linearizability',
      verdict: 'invalid',
      summary: `not linearizable: on key "${invalid.k.key}" no legal order explains ${evidence.failing.text}${where}`,
      evidence,
      stats,
    };
  }
  const unknown = outcomes.filter((o) => o.outcome.verdict === 'unknown');
  if (unknown.length > 0) {
    const first = unknown[0];
    return {
      name: 'linearizability',
      verdict: 'unknown',
      summary: `unknown: the search on ${unknown.length === 1 ? `key "${first.k.key}"` : `${unknown.length} keys`} ran out of ${EXHAUSTED[first.outcome.exhausted ?? 'steps']} (${count(first.steps)} steps) before deciding`,
      evidence: unknown.map((o) => ({
        key: o.k.key,
        exhausted: o.outcome.exhausted,
        steps: o.steps,
        operations: o.k.ops.length,
        // Only a hint: the search had not finished there.
        deepestPrefix: o.outcome.deepest?.depth ?? 0,
        stuckAt: o.outcome.deepest ? summarize(o.outcome.deepest.stuck.op) : undefined,
      })),
      stats,
    };
  }
  const info = stats.indeterminate ? ` (${count(stats.indeterminate)} indeterminate)` : '';
  return {
    name: 'linearizability',
    verdict: 'valid',
    summary: `linearizable: ${count(stats.ops)} register operations${info} on ${count(stats.keys)} key${stats.keys === 1 ? '' : 's'}`,
    stats,
  };
}
