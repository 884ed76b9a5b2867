// Query parameters the swarm routes parse strictly, with the daemon's texts
// (moby api/server/router/swarm/cluster_routes.go): `version` through strconv.ParseUint, and the
// booleans that go through strconv.ParseBool rather than the lenient BoolValue.

import {
  apiError,
  invalidBlobVersion,
  invalidObjectVersion,
  invalidQueryBool,
  invalidRotateFlag,
  parseGoBool,
  parseGoUint,
} from '@swarmlab/api';

/** `?version=` of an update: a uint64 (missing counts as ""). */
export function versionParam(query: URLSearchParams, kind: 'swarm' | 'service' | 'node' | 'secret' | 'config'): number {
  const raw = query.get('version') ?? '';
  const parsed = parseGoUint(raw);
  if (parsed.ok) return Number(parsed.value);
  throw apiError(kind === 'secret' || kind === 'config' ? invalidBlobVersion(kind) : invalidObjectVersion(kind, raw, parsed.error));
}

/** `?status=` / `?insertDefaults=`: absent or empty is false, else strconv.ParseBool. */
export function strictBoolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name) ?? '';
  if (raw === '') return false;
  const parsed = parseGoBool(raw);
  if (parsed.ok) return parsed.value;
  throw apiError(invalidQueryBool(name, raw, parsed.error));
}

/** `?rotateWorkerToken=` and the other swarm update flags: as strictBoolParam, with a shorter text. */
export function rotateFlagParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name) ?? '';
  if (raw === '') return false;
  const parsed = parseGoBool(raw);
  if (parsed.ok) return parsed.value;
  throw apiError(invalidRotateFlag(name, raw));
}
