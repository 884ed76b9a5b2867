// The `filters=` of GET /events, decoded and applied as dockerd does (moby api/types/filters
// FromJSON and Args, daemon/events/filter.go). Values keep their booleans: in the map form
// `{"type":{"service":false}}` an exact match on a false value fails, as in moby.

import { invalidFilter } from '@swarmlab/api';
import { daemon } from '../../errors.js';
import type { ClusterEvent } from './message.js';

type Fields = Map<string, Map<string, boolean>>;

/** Keys whose value is matched as a prefix of the actor's ID or name. */
const NAMED_TYPES = ['daemon', 'container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'] as const;

/** Actions the daemon matches as prefixes (moby #25798: `health_status: healthy`, `exec_start: sh`). */
const PREFIX_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

export class EventFilter {
  private constructor(private readonly fields: Fields) {}

  static readonly none = new EventFilter(new Map());

  /**
   * Decodes the map form (`{"type":{"service":true}}`, the CLI's) or, failing that, the legacy
   * array form (`{"type":["service"]}`, dockerode's). Anything else is `invalid filter` (400).
   */
  static parse(raw: string | null | undefined): EventFilter {
    if (raw === null || raw === undefined || raw === '') return EventFilter.none;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw daemon(invalidFilter());
    }
    const fields = mapForm(parsed) ?? arrayForm(parsed);
    if (!fields) throw daemon(invalidFilter());
    return new EventFilter(fields);
  }

  get size(): number {
    return this.fields.size;
  }

  /** moby's Filter.Include. */
  includes(ev: ClusterEvent): boolean {
    return (
      this.matchAction(ev.Action) &&
      this.exact('type', ev.Type) &&
      (!this.fields.has('scope') || this.exact('scope', ev.scope)) &&
      NAMED_TYPES.every((key) => this.fuzzy(key, ev.Actor.ID) || this.fuzzy(key, ev.Actor.Attributes.name ?? '')) &&
      this.matchImage(ev) &&
      (!this.fields.has('label') || this.matchKeyValues('label', ev.Actor.Attributes))
    );
  }

  private matchAction(action: string): boolean {
    const wanted = this.fields.get('event');
    if (wanted && [...wanted.keys()].some((v) => PREFIX_ACTIONS.has(v))) return this.fuzzy('event', action);
    return this.exact('event', action);
  }

  /** Image events match on the ID or `name`, other events on their `image` attribute, tags stripped or not. */
  private matchImage(ev: ClusterEvent): boolean {
    const name = ev.Actor.Attributes[(ev.Type as string) === 'image' ? 'name' : 'image'] ?? '';
    const id = ev.Actor.ID;
    return this.exact('image', id) || this.exact('image', name) || this.exact('image', familiarName(id)) || this.exact('image', familiarName(name));
  }

  /** Args.ExactMatch: no values for the key matches everything. */
  private exact(key: string, source: string): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    return values.get(source) === true;
  }

  /** Args.FuzzyMatch: an exact match, or a value that is a prefix of the source. */
  private fuzzy(key: string, source: string): boolean {
    if (this.exact(key, source)) return true;
    for (const prefix of this.fields.get(key)!.keys()) if (source.startsWith(prefix)) return true;
    return false;
  }

  /** Args.MatchKVList: every `k` or `k=v` value must be among the attributes. */
  private matchKeyValues(key: string, attributes: Record<string, string>): boolean {
    const values = this.fields.get(key);
    if (!values || values.size === 0) return true;
    if (Object.keys(attributes).length === 0) return false;
    for (const value of values.keys()) {
      const eq = value.indexOf('=');
      const k = eq < 0 ? value : value.slice(0, eq);
      if (!Object.hasOwn(attributes, k)) return false;
      if (eq >= 0 && attributes[k] !== value.slice(eq + 1)) return false;
    }
    return true;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `map[string]map[string]bool`: JSON null leaves a key without values, or a value false. */
function mapForm(parsed: unknown): Fields | undefined {
  if (parsed === null) return new Map();
  return readFields(parsed, (values) => {
    if (!isObject(values)) return undefined;
    const set = new Map<string, boolean>();
    for (const [value, on] of Object.entries(values)) {
      if (on !== null && typeof on !== 'boolean') return undefined;
      set.set(value, on === true);
    }
    return set;
  });
}

/** `map[string][]string`, the legacy form; every listed value counts as set. */
function arrayForm(parsed: unknown): Fields | undefined {
  return readFields(parsed, (values) => {
    if (!Array.isArray(values)) return undefined;
    const set = new Map<string, boolean>();
    for (const v of values) {
      if (v !== null && typeof v !== 'string') return undefined;
      set.set(v ?? '', true);
    }
    return set;
  });
}

/** The outer object of either form: a key with JSON null has no values; `valueSet` reads the rest (undefined: malformed). */
function readFields(parsed: unknown, valueSet: (values: unknown) => Map<string, boolean> | undefined): Fields | undefined {
  if (!isObject(parsed)) return undefined;
  const fields: Fields = new Map();
  for (const [key, values] of Object.entries(parsed)) {
    const set = values === null ? new Map<string, boolean>() : valueSet(values);
    if (!set) return undefined;
    fields.set(key, set);
  }
  return fields;
}

/**
 * The short name of an image reference, tag and digest dropped (distribution's FamiliarName):
 * `docker.io/library/nginx:1.27@sha256:…` → `nginx`. Only compared against an `image` filter.
 */
function familiarName(ref: string): string {
  let name = ref.split('@')[0];
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  return name;
}
