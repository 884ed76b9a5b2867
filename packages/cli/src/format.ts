// Tables and event lines as people read them (columns like `docker node ls`).

import type { LabEvent, LiveNode } from '@swarmlab/launcher';

/** Left-aligned columns separated by three spaces, like the docker CLI's tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Docker's spelling in tables: ready → Ready, '' stays ''. */
export function title(word: string | undefined): string {
  return word ? word[0].toUpperCase() + word.slice(1) : '';
}

export function nodesTable(nodes: LiveNode[], withProcess: boolean): string {
  const headers = ['NAME', 'ROLE', 'ADDRESS', 'PID', ...(withProcess ? ['PROCESS'] : []), 'STATUS', 'AVAILABILITY', 'MANAGER STATUS'];
  const rows = nodes.map((n) => [
    n.name,
    n.role,
    n.addr,
    n.pid === undefined || n.pid === null ? '-' : String(n.pid),
    ...(withProcess ? [n.state] : []),
    title(n.status),
    title(n.availability),
    title(n.managerStatus),
  ]);
  return table(headers, rows);
}

export function dockerHostLine(addr: string): string {
  return `export DOCKER_HOST=tcp://${addr}:2375`;
}

function value(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? `[${x.join(',')}]` : String(x))).join(',');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function fields(ev: Record<string, unknown>, skip: string[]): string {
  return Object.entries(ev)
    .filter(([k, v]) => !skip.includes(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

/** One event as a line: time, kind, then what happened. */
export function eventLine(ev: LabEvent): string {
  const { time, kind } = ev;
  let what: string;
  if (kind === 'observed' && ev.event === 'leader') {
    const term = `term ${String(ev.term)}`;
    what = ev.isLeader
      ? `${String(ev.node)} is the leader (${term})`
      : ev.leaderNodeId
        ? `${String(ev.node)} follows leader ${String(ev.leaderNodeId).slice(0, 12)} (${term})`
        : `${String(ev.node)} has no leader (${term})`;
  } else if (kind === 'observed' && typeof ev.previous === 'string') {
    what = `${String(ev.node)} ${String(ev.event)} ${ev.previous || '-'} -> ${String(ev.value) || '-'}`;
  } else if (kind === 'heal' && ev.fault === undefined) {
    what = 'every network fault lifted, paused nodes resumed';
  } else if (kind === 'fault' || kind === 'heal') {
    what = [ev.fault, fields(ev, ['time', 'kind', 'fault'])].filter(Boolean).join(' ');
  } else if (kind === 'process') {
    what = [ev.action, fields(ev, ['time', 'kind', 'action'])].filter(Boolean).join(' ');
  } else {
    what = fields(ev, ['time', 'kind', 'type']);
  }
  // Nodes stamp their events with nanoseconds (and their own, maybe skewed, clock): show ms.
  const when = Number.isNaN(Date.parse(time)) ? time : new Date(time).toISOString();
  return `${when}  ${kind.padEnd(8)}  ${what}`;
}

/** "1 node", "3 nodes" ("" for none, so that lists can drop it). */
export function plural(n: number, word: string, words = `${word}s`): string {
  return n === 0 ? '' : `${n} ${n === 1 ? word : words}`;
}
