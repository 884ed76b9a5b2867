// Leadership over time from the managers' 'leader' events: who led in which term, and when.

import type { LabEventLine } from '../types.js';

export interface LeaderChange {
  /** Milliseconds since the run started (negative: before the workload began). */
  at: number;
  node: string;
  term: number | undefined;
}

export interface LeaderTenure {
  node: string;
  term: number | undefined;
  start: number;
  /** Infinity while still leading when the events end. */
  end: number;
}

export interface Leadership {
  changes: LeaderChange[];
  tenures: LeaderTenure[];
}

interface Edge {
  at: number;
  node: string;
  term: number | undefined;
  isLeader: boolean;
}

function leaderEdges(events: readonly unknown[], runStartMs: number): Edge[] {
  const edges: Edge[] = [];
  for (const raw of events) {
    if (typeof raw !== 'object' || raw === null) continue;
    const ev = raw as LabEventLine;
    if (ev.event !== 'leader' || typeof ev.isLeader !== 'boolean') continue;
    const at = Date.parse(String(ev.time)) - runStartMs;
    if (!Number.isFinite(at)) continue;
    const term = typeof ev.term === 'number' && Number.isFinite(ev.term) ? ev.term : undefined;
    edges.push({ at, node: String(ev.node ?? '?'), term, isLeader: ev.isLeader });
  }
  // A stable sort keeps the file's order for events logged in the same millisecond.
  return edges.sort((a, b) => a.at - b.at);
}

/** A tenure ends when its node says it stepped down, when it wins again, or when any node wins a
 * higher term (a killed leader never gets to say goodbye). Two leaders in one term stay
 * overlapping on purpose: that is the split brain the safety check is looking for. */
export function leadership(events: readonly unknown[], runStartMs: number): Leadership {
  const changes: LeaderChange[] = [];
  const tenures: LeaderTenure[] = [];
  const open: LeaderTenure[] = [];
  const close = (keep: (t: LeaderTenure) => boolean, at: number): void => {
    for (let i = open.length - 1; i >= 0; i--) {
      if (keep(open[i])) continue;
      open[i].end = at;
      open.splice(i, 1);
    }
  };
  for (const e of leaderEdges(events, runStartMs)) {
    if (!e.isLeader) {
      close((t) => t.node !== e.node, e.at);
      continue;
    }
    close((t) => t.node !== e.node && !(e.term !== undefined && t.term !== undefined && t.term < e.term), e.at);
    const tenure: LeaderTenure = { node: e.node, term: e.term, start: e.at, end: Infinity };
    open.push(tenure);
    tenures.push(tenure);
    changes.push({ at: e.at, node: e.node, term: e.term });
  }
  return { changes, tenures };
}
