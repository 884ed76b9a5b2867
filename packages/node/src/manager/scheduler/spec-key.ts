// A canonical JSON text of a value: object keys sorted and undefined members dropped, so two
// specs that went through different code paths (or a msgpack round trip) compare equal exactly
// when Go's reflect.DeepEqual would call them equal.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortKeys(member);
  }
  return out;
}

// Store objects are replaced, never changed in place (patches clone), so a spec's key can be
// remembered per object: the same tasks are looked at on every scheduling round.
const keys = new WeakMap<object, string>();

/** canonicalJson of an object, computed once per object. */
export function cachedKey(value: object): string {
  let key = keys.get(value);
  if (key === undefined) {
    key = canonicalJson(value);
    keys.set(value, key);
  }
  return key;
}
