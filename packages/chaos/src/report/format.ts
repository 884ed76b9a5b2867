// Human-readable numbers, durations and operation values for labels and tables.

import { safeJson, truncate } from './escape.js';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (abs < 1000) return `${ms.toFixed(abs < 10 ? 1 : 0)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(abs / 60_000);
  const s = Math.round((abs % 60_000) / 1000);
  return `${ms < 0 ? '-' : ''}${m}m${String(s).padStart(2, '0')}s`;
}

/** Axis labels in seconds since the run started. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(2))}s`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Number(n.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A register value [key, v] or [key, [from, to]] shown without the key; anything else as JSON. */
export function shortValue(value: unknown, max = 24): string {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') {
    const v = value[1];
    if (Array.isArray(v) && v.length === 2) return truncate(`${safeJson(v[0])}→${safeJson(v[1])}`, max);
    return truncate(safeJson(v), max);
  }
  return truncate(safeJson(value), max);
}

/** The register key of a [key, ...] value, if it has one. */
export function valueKey(value: unknown): string | undefined {
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** "peakCacheEntries" → "peak cache entries": stat names from checkers, readable as labels. */
export function humanizeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}
