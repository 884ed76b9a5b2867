// Compares two normalized transcripts step by step and lists every difference with where it is:
// the exit code, stderr, what a wait reached, and stdout as text lines, table cells or JSON paths.

import type { Normalizer } from './normalize.js';
import type { StepResult, Transcript } from './runner.js';
import type { Step } from './steps.js';
import { parseTable } from './table.js';

export interface Difference {
  step: string;
  /** `exit code`, `settled`, `stderr line N`, `line N`, `row N COLUMN`, `columns`, `rows`, or a JSON path. */
  where: string;
  real: string;
  swarmlab: string;
}

export const ABSENT = '(absent)';

const show = (v: unknown): string => (v === undefined ? ABSENT : typeof v === 'string' ? v : JSON.stringify(v));

/** Key sets recursively and every value; arrays element by element. */
export function compareJson(real: unknown, swarmlab: unknown, path: string, out: Omit<Difference, 'step'>[]): void {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(real) && isObject(swarmlab)) {
    const keys = [...new Set([...Object.keys(real), ...Object.keys(swarmlab)])].sort();
    for (const k of keys) compareJson(real[k], swarmlab[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(real) && Array.isArray(swarmlab)) {
    if (real.length !== swarmlab.length) out.push({ where: `${path}.length`, real: String(real.length), swarmlab: String(swarmlab.length) });
    for (let i = 0; i < Math.min(real.length, swarmlab.length); i++) compareJson(real[i], swarmlab[i], `${path}[${i}]`, out);
    return;
  }
  if (JSON.stringify(real) !== JSON.stringify(swarmlab)) out.push({ where: path || '(document)', real: show(real), swarmlab: show(swarmlab) });
}

/**
 * Lines matched by a longest common subsequence, so one extra line does not shift every line
 * after it; unmatched lines are paired in order, the rest compared with (absent).
 */
export function compareLines(real: string[], swarmlab: string[], label: string): Omit<Difference, 'step'>[] {
  const n = real.length;
  const m = swarmlab.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = real[i] === swarmlab[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: Omit<Difference, 'step'>[] = [];
  let i = 0;
  let j = 0;
  let onlyReal: number[] = [];
  let onlySwarmlab: number[] = [];
  const flush = (): void => {
    for (let k = 0; k < Math.max(onlyReal.length, onlySwarmlab.length); k++) {
      const r = onlyReal[k];
      const s = onlySwarmlab[k];
      out.push({ where: `${label} ${(r ?? s ?? 0) + 1}`, real: r === undefined ? ABSENT : real[r], swarmlab: s === undefined ? ABSENT : swarmlab[s] });
    }
    onlyReal = [];
    onlySwarmlab = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && real[i] === swarmlab[j]) {
      flush();
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
      onlyReal.push(i++);
    } else {
      onlySwarmlab.push(j++);
    }
  }
  flush();
  return out;
}

/** Lines without trailing blanks (tabwriter pads the last column on some rows, not others). */
function lines(text: string): string[] {
  const all = text.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));
  return all.length === 1 && all[0] === '' ? [] : all;
}

function getPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

function sortArrays(value: unknown, sortBy: string[]): unknown {
  if (!Array.isArray(value) || sortBy.length === 0) return value;
  const key = (v: unknown): string => sortBy.map((p) => JSON.stringify(getPath(v, p)) ?? '').join('\u0000');
  return [...value].sort((a, b) => key(a).localeCompare(key(b)));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function compareStdout(step: Step, real: string, swarmlab: string, nr: Normalizer, ns: Normalizer): Omit<Difference, 'step'>[] {
  const select = step.select ?? ((s: string) => s);
  const [r, s] = [select(real), select(swarmlab)];
  switch (step.output) {
    case 'none':
      return [];
    case 'text':
      return compareLines(lines(nr.text(r)), lines(ns.text(s)), 'line');
    case 'json': {
      const [pr, ps] = [parseJson(r), parseJson(s)];
      // An error answer may not be JSON on one side: then the text is what differs.
      if (!pr.ok || !ps.ok) return compareLines(lines(nr.text(r)), lines(ns.text(s)), 'line');
      const out: Omit<Difference, 'step'>[] = [];
      const prepare = (value: unknown): unknown => (step.canonical ?? ((v: unknown) => v))(sortArrays(value, step.sortBy ?? []));
      compareJson(nr.json(prepare(pr.value)), ns.json(prepare(ps.value)), '', out);
      return out;
    }
    case 'table': {
      const [tr, ts] = [parseTable(r), parseTable(s)];
      if (!tr || !ts) return compareLines(lines(nr.text(r)), lines(ns.text(s)), 'line');
      const [a, b] = [nr.table(tr), ns.table(ts)];
      if (a.columns.join('|') !== b.columns.join('|')) return [{ where: 'columns', real: a.columns.join(' | '), swarmlab: b.columns.join(' | ') }];
      const out: Omit<Difference, 'step'>[] = [];
      if (a.rows.length !== b.rows.length) {
        out.push({ where: 'rows', real: String(a.rows.length), swarmlab: String(b.rows.length) });
        out.push(...compareLines(a.rows.map((r) => r.join(' | ')), b.rows.map((r) => r.join(' | ')), 'row'));
        return out;
      }
      a.rows.forEach((row, i) =>
        row.forEach((cell, c) => {
          if (cell !== b.rows[i][c]) out.push({ where: `row ${i + 1} ${a.columns[c]}`, real: cell, swarmlab: b.rows[i][c] });
        }),
      );
      return out;
    }
  }
}

function compareStep(step: Step, real: StepResult, swarmlab: StepResult, nr: Normalizer, ns: Normalizer): Difference[] {
  const found: Omit<Difference, 'step'>[] = [];
  if (real.settled !== swarmlab.settled) found.push({ where: 'settled', real: show(real.settled), swarmlab: show(swarmlab.settled) });
  if (real.exitCode !== swarmlab.exitCode) found.push({ where: 'exit code', real: String(real.exitCode), swarmlab: String(swarmlab.exitCode) });
  found.push(...compareLines(lines(nr.text(real.stderr)), lines(ns.text(swarmlab.stderr)), 'stderr line'));
  found.push(...compareStdout(step, real.stdout, swarmlab.stdout, nr, ns));
  return found.map((d) => ({ step: step.name, ...d }));
}

export function compareTranscripts(steps: Step[], real: Transcript, swarmlab: Transcript, nr: Normalizer, ns: Normalizer): Difference[] {
  return steps.flatMap((step, i) => {
    const [r, s] = [real.results[i], swarmlab.results[i]];
    if (!r || !s || r.name !== step.name || s.name !== step.name) {
      return [{ step: step.name, where: 'transcript', real: r?.name ?? ABSENT, swarmlab: s?.name ?? ABSENT }];
    }
    return compareStep(step, r, s, nr, ns);
  });
}
