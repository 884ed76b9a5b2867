// Looking objects up by reference as the daemon does (full ID, exact name, or unique ID prefix),
// and the filter-matching helpers the list endpoints share.

import { ambiguous, notFound, type DaemonError, type ObjectKind } from '@swarmlab/api';
import { daemon } from '../errors.js';
import type { StoredObject } from '../store/memory.js';

/** moby daemon/cluster/helpers.go getNode and friends: 404 when nothing matches, 400 when several do. */
export function lookup<T extends StoredObject>(
  objects: T[],
  ref: string,
  nameOf: (o: T) => string | undefined,
  kind: ObjectKind,
): T {
  const byId = objects.find((o) => o.ID === ref);
  if (byId) return byId;
  const byName = objects.filter((o) => nameOf(o) === ref);
  const matches = byName.length > 0 ? byName : ref.length > 0 ? objects.filter((o) => o.ID.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw daemon(ambiguous(kind, ref, matches.length));
  throw daemon(notFound(kind, ref));
}

/**
 * The values of an enumerated filter key (`role`, `membership`, `desired-state`), matched
 * case-insensitively; empty values are skipped and an unknown one is `invalid(value)`, as
 * moby's daemon/cluster/filters.go does. Undefined when nothing constrains the list.
 */
export function enumFilterValues(
  values: string[] | undefined,
  allowed: readonly string[],
  invalid: (value: string) => DaemonError,
): string[] | undefined {
  const out: string[] = [];
  for (const v of values ?? []) {
    if (v === '') continue;
    if (!allowed.includes(v.toLowerCase())) throw daemon(invalid(v));
    out.push(v.toLowerCase());
  }
  return out.length > 0 ? out : undefined;
}

/** `label` filter values are `k` or `k=v`. */
export function matchesLabels(labels: Record<string, string> | undefined, wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  return wanted.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return labels !== undefined && Object.hasOwn(labels, w);
    return labels !== undefined && Object.hasOwn(labels, w.slice(0, i)) && labels[w.slice(0, i)] === w.slice(i + 1);
  });
}
