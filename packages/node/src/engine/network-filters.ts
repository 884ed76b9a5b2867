// `GET /networks?filters=`: the keys the daemon accepts (moby daemon/network/filter.go) and how it
// matches them: `name` and `id` as unanchored regular expressions — on the managers' list also
// as prefixes, since the daemon first asks SwarmKit for name and ID prefixes — `driver` and
// `scope` exactly, `label` as k or k=v, `type` builtin/custom, `dangling` true/false.

import { decodeFilters, type Network } from '@swarmlab/api';
import { ApiError } from '../errors.js';
import { matchesLabels } from '../manager/lookup.js';
import { PREDEFINED_NAMES } from '../manager/controlapi/network-validation.js';

const ACCEPTED = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

export type NetworkFilters = Map<string, string[]>;

export function parseNetworkFilters(raw: string | undefined): NetworkFilters {
  return decodeFilters(raw, ACCEPTED);
}

/** moby filters.Args.Match: no values, an equal value, or a value that matches as a regexp. */
function matchAny(values: string[] | undefined, source: string): boolean {
  if (!values || values.length === 0) return true;
  return values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

function exact(values: string[] | undefined, source: string): boolean {
  return !values || values.length === 0 || values.includes(source);
}

const isPredefined = (n: Network) => PREDEFINED_NAMES.includes(n.Name);

/** Applies the filters; `swarmList` adds SwarmKit's prefix matching for the managers' networks. */
export function filterNetworks(list: Network[], f: NetworkFilters, swarmList = false): Network[] {
  if (f.size === 0) return list;
  let out = list.filter((n) => {
    if (!exact(f.get('driver'), n.Driver)) return false;
    if (!matchAny(f.get('name'), n.Name)) return false;
    if (!matchAny(f.get('id'), n.Id)) return false;
    if (swarmList && f.get('name') && !f.get('name')!.some((v) => n.Name.startsWith(v))) return false;
    if (swarmList && f.get('id') && !f.get('id')!.some((v) => n.Id.startsWith(v))) return false;
    if (!matchesLabels(n.Labels ?? undefined, f.get('label'))) return false;
    return exact(f.get('scope'), n.Scope);
  });
  const dangling = f.get('dangling');
  if (dangling && dangling.length > 0) {
    if (dangling.length > 1) throw new ApiError(400, 'got more than one value for filter key "dangling"');
    let only: boolean;
    if (dangling[0] === '0' || dangling[0] === 'false') only = false;
    else if (dangling[0] === '1' || dangling[0] === 'true') only = true;
    else throw new ApiError(400, `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
    const used = (n: Network) => isPredefined(n) || Object.keys(n.Containers ?? {}).length > 0 || Object.keys(n.Services ?? {}).length > 0;
    out = out.filter((n) => (only ? !used(n) : used(n)));
  }
  const types = f.get('type');
  if (types && types.length > 0) {
    const byType: Network[] = [];
    for (const t of types) {
      if (t === 'builtin') byType.push(...out.filter(isPredefined));
      else if (t === 'custom') byType.push(...out.filter((n) => !isPredefined(n)));
      else throw new ApiError(400, `invalid filter: 'type'='${t}'`);
    }
    out = byType;
  }
  return out;
}
