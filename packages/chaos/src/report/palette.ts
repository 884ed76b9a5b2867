// Colors shared by every chart so a fault kind or an outcome looks the same everywhere.

import type { Completion } from './operations.js';

export const OUTCOME_COLORS: Record<Completion, string> = { ok: '#2f9e44', fail: '#d6336c', info: '#f08c00' };

export const OUTCOME_LABELS: Record<Completion, string> = { ok: 'ok', fail: 'fail', info: 'info (indeterminate)' };

export const FAULT_COLORS: Record<string, string> = {
  partition: '#4c6ef5',
  kill: '#e03131',
  pause: '#9c36b5',
  clock: '#0c8599',
  link: '#868e96',
  membership: '#a0722a',
};

const OTHER_FAULT_COLOR = '#495057';

export function faultColor(kind: string): string {
  return Object.hasOwn(FAULT_COLORS, kind) ? FAULT_COLORS[kind] : OTHER_FAULT_COLOR;
}

/** Distinct colors for nodes on the leader lane, assigned in name order. */
const NODE_COLORS = ['#1971c2', '#c2255c', '#2b8a3e', '#e8590c', '#6741d9', '#0b7285', '#5c940d', '#862e9c', '#d9480f', '#364fc7'];

export function nodeColors(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return new Map(sorted.map((n, i) => [n, NODE_COLORS[i % NODE_COLORS.length]]));
}

export const VERDICT_COLORS: Record<string, string> = { valid: '#2f9e44', invalid: '#e03131', unknown: '#f08c00' };

export function verdictClass(verdict: unknown): 'valid' | 'invalid' | 'unknown' {
  return verdict === 'valid' || verdict === 'invalid' ? verdict : 'unknown';
}
