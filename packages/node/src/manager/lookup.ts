// Looking objects up by reference as the daemon does: full ID, exact name, or unique ID prefix.

import { ApiError } from '../errors.js';
import type { StoredObject } from '../store/memory.js';

export function lookup<T extends StoredObject>(
  objects: T[],
  ref: string,
  nameOf: (o: T) => string | undefined,
  kind: string,
): T {
  const byId = objects.find((o) => o.ID === ref);
  if (byId) return byId;
  const byName = objects.filter((o) => nameOf(o) === ref);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new ApiError(409, `${kind} ${ref} is ambiguous (${byName.length} matches found)`);
  const byPrefix = ref.length > 0 ? objects.filter((o) => o.ID.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0];
  if (byPrefix.length > 1) throw new ApiError(409, `${kind} ${ref} is ambiguous (${byPrefix.length} matches found)`);
  throw new ApiError(404, `${kind} ${ref} not found`);
}

/**
 * Filters as the Engine API receives them: `{"key":{"v":true}}` from the CLI or
 * `{"key":["v"]}` from dockerode; returns key → values.
 */
export function parseFilters(raw: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid filter '${raw}'`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, `invalid filter '${raw}'`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.keys(v));
    else throw new ApiError(400, `invalid filter '${raw}'`);
  }
  return out;
}

/** `label` filter values are `k` or `k=v`. */
export function matchesLabels(labels: Record<string, string> | undefined, wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  return wanted.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return labels !== undefined && w in labels;
    return labels?.[w.slice(0, i)] === w.slice(i + 1);
  });
}
