// Query-string conventions of the Engine API, shared by the client (encoding) and a server
// (decoding): `filters=` JSON in the CLI's map form, and the daemon's boolean parsing.

import { apiError, invalidFilter } from './errors.js';

/**
 * Filters as callers write them: a value, a list of values, or the wire's map form
 * (`{"name":{"web":true}}`). Keys are the endpoint's filter names (`name`, `label`, `role`,
 * `desired-state`, `_up-to-date`, …).
 */
export type Filters = Record<string, string | readonly string[] | Record<string, boolean>>;

/** The CLI's encoding: `{"key":{"value":true}}`. Empty filters give undefined (no parameter). */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters) return undefined;
  const wire: Record<string, Record<string, boolean>> = {};
  for (const [key, value] of Object.entries(filters)) {
    const values =
      typeof value === 'string' ? [value] : Array.isArray(value) ? (value as readonly string[]) : Object.keys(value);
    if (values.length === 0) continue;
    wire[key] = Object.fromEntries(values.map((v) => [v, true]));
  }
  return Object.keys(wire).length === 0 ? undefined : JSON.stringify(wire);
}

/**
 * Decodes a `filters=` value as moby's filters.FromJSON: the map form (CLI,
 * `{"name":{"web":true}}`, boolean values) or else the legacy array form (dockerode,
 * `{"name":["web"]}`); anything else, a mix of both included, is "invalid filter". With
 * `accepted`, unknown keys are refused as the daemon does ("invalid filter 'key'").
 * Throws DockerApiError(400).
 */
export function decodeFilters(raw: string | null | undefined, accepted?: readonly string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (raw === undefined || raw === null || raw === '') return result;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw apiError(invalidFilter());
  }
  if (parsed === null) return result;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw apiError(invalidFilter());
  const entries = Object.entries(parsed as Record<string, unknown>);
  const isMapValue = (v: unknown) =>
    v === null || (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((b) => b === null || typeof b === 'boolean'));
  const isLegacyValue = (v: unknown) => v === null || (Array.isArray(v) && v.every((s) => s === null || typeof s === 'string'));
  if (entries.every(([, v]) => isMapValue(v))) {
    for (const [key, value] of entries) result.set(key, value === null ? [] : Object.keys(value as object));
  } else if (entries.every(([, v]) => isLegacyValue(v))) {
    for (const [key, value] of entries) result.set(key, ((value as (string | null)[] | null) ?? []).map((s) => s ?? ''));
  } else {
    throw apiError(invalidFilter());
  }
  if (accepted) {
    for (const key of result.keys()) if (!accepted.includes(key)) throw apiError(invalidFilter(key));
  }
  return result;
}

/** The daemon's query booleans (MB:api/server/httputils BoolValue): "", 0, no, false, none are false. */
export function parseQueryBool(value: string | null | undefined): boolean {
  if (value === undefined || value === null) return false;
  const v = value.trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

export type QueryValue = string | number | boolean | undefined;

/** Builds `?a=1&b=2` from defined values, in insertion order ('' when nothing is set). */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
