// Raft safety as far as a run can see it: election safety from the managers' leadership events
// (at most one leader per term), and durability of acknowledged register writes (the value every
// register holds at the end must be one some legal history could leave there).

import { HistoryError, pairOperations } from './history.js';
import { summarize, type OperationSummary } from './linearizability/evidence.js';
import type { CheckResult, HistoryOp, LabEventLine, Operation, RegisterValue } from './types.js';

/** At most one leader per term: two different nodes reporting leadership of one term is invalid. */
export function checkRaftSafety(events: LabEventLine[]): CheckResult {
  const leaderOf = new Map<number, LabEventLine>();
  const conflicts: { term: number; first: LabEventLine; second: LabEventLine }[] = [];
  let leaderEvents = 0;
  for (const e of events) {
    if (e.event !== 'leader' || e.isLeader !== true || typeof e.term !== 'number' || typeof e.node !== 'string') continue;
    leaderEvents++;
    const first = leaderOf.get(e.term);
    if (!first) leaderOf.set(e.term, e);
    else if (first.node !== e.node && !conflicts.some((c) => c.term === e.term && c.second.node === e.node)) conflicts.push({ term: e.term, first, second: e });
  }
  const stats = { leaderEvents, terms: leaderOf.size, conflicts: conflicts.length };
  if (conflicts.length === 0) {
    const note = leaderEvents === 0 ? ' (no leadership events were recorded)' : '';
    return { name: 'raft-safety', verdict: 'valid', summary: `one leader per term: ${leaderOf.size} term(s) with a leader${note}`, stats };
  }
  const c = conflicts[0];
  return {
    name: 'raft-safety',
    verdict: 'invalid',
    summary: `two leaders in term ${c.term}: ${c.first.node} (at ${c.first.time}) and ${c.second.node} (at ${c.second.time})${conflicts.length > 1 ? `; ${conflicts.length} terms in all` : ''}`,
    evidence: { conflicts },
    stats,
  };
}

const MUTATIONS = new Set(['write', 'cas']);

/** What a mutation leaves in the register when it takes effect. */
function written(op: Operation): RegisterValue {
  const v = op.f === 'cas' ? (op.input as unknown[])[1] : op.input;
  return v as RegisterValue;
}

function validMutation(op: Operation): boolean {
  if (op.f === 'cas') return Array.isArray(op.input) && op.input.length === 2;
  return true;
}

interface KeyVerdict {
  key: string;
  possible: RegisterValue[];
  found: RegisterValue;
  /** The acknowledged writes nothing acknowledged is known to follow: one of them (or an
   * indeterminate write) must be the last to take effect. */
  acknowledged: OperationSummary[];
}

/**
 * No acknowledged write goes missing: the final value of every register must be the value of a
 * mutation that may be the last to take effect — an acknowledged one that no other acknowledged
 * one provably follows (it returned before the other was invoked), or any indeterminate one (it
 * may take effect arbitrarily late). With one acknowledged write last and no indeterminate ones
 * the value is determined; otherwise the check is as strict as the history allows. Keys missing
 * from `finalValues` (never read at the end) are not judged.
 */
export function checkAcknowledgedWrites(history: HistoryOp[], finalValues: Map<string, RegisterValue>): CheckResult {
  let ops: Operation[];
  try {
    ops = pairOperations(history);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    return { name: 'acknowledged-writes', verdict: 'unknown', summary: `cannot check the history: ${e.message}`, evidence: { error: e.message } };
  }
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    if (!MUTATIONS.has(op.f) || op.key === null || op.status === 'fail' || !validMutation(op)) continue;
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  const keys = new Set([...byKey.keys()]);
  for (const op of ops) if (op.key !== null && (op.f === 'read' || MUTATIONS.has(op.f))) keys.add(op.key);

  const violations: KeyVerdict[] = [];
  let judged = 0;
  let determined = 0;
  let unread = 0;
  for (const key of keys) {
    if (!finalValues.has(key)) {
      unread++;
      continue;
    }
    judged++;
    const found = finalValues.get(key) ?? null;
    const mutations = byKey.get(key) ?? [];
    const acked = mutations.filter((m) => m.status === 'ok');
    // An acknowledged mutation is superseded when another acknowledged one began after it returned
    // (never itself: a call comes before its own return).
    const latestCall = acked.reduce((latest, m) => Math.max(latest, m.call), -Infinity);
    const lastAcked = acked.filter((m) => latestCall <= m.ret);
    const indeterminate = mutations.filter((m) => m.status === 'info');
    const possible = new Set<RegisterValue>([...lastAcked, ...indeterminate].map(written));
    if (acked.length === 0) possible.add(null); // nothing certainly took effect: still initial
    if (lastAcked.length === 1 && indeterminate.length === 0) determined++;
    if (!possible.has(found)) violations.push({ key, possible: [...possible], found, acknowledged: lastAcked.map(summarize) });
  }

  const stats = { keys: keys.size, judged, determined, unread, violations: violations.length };
  if (violations.length === 0) {
    const notRead = unread ? `; ${unread} key(s) not read at the end, not judged` : '';
    return { name: 'acknowledged-writes', verdict: 'valid', summary: `no acknowledged write missing: ${judged} register(s) hold a value their history allows${notRead}`, stats };
  }
  const v = violations[0];
  const last = v.acknowledged.at(-1);
  const by = last ? `the last acknowledged write was ${last.text}` : 'no write was acknowledged';
  return {
    name: 'acknowledged-writes',
    verdict: 'invalid',
    summary: `acknowledged write missing on "${v.key}": it holds ${JSON.stringify(v.found)}, but ${by}; possible final values ${JSON.stringify(v.possible)}`,
    evidence: { violations },
    stats,
  };
}
