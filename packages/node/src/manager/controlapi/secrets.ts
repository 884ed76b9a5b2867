// Control API for secrets and configs (SwarmKit manager/controlapi/secret.go, config.go): create
// with name and size rules, list with filters, inspect (a secret's data is never returned),
// update of labels only, remove.

import {
  type Service,
  alreadyExists,
  CONFIG_DATA_SIZE,
  decodeFilters,
  INVALID_OBJECT_NAME,
  inUse,
  ONLY_LABELS_UPDATABLE,
  SECRET_DATA_SIZE,
} from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki/light';
import { ApiError, grpcError } from '../../errors.js';
import type { StoredObject } from '../../store/memory.js';
import { commit, type ManagerContext } from '../context.js';
import type { ServiceObject } from '../objects.js';
import { lookup, matchesLabels } from '../lookup.js';

export type Kind = 'secret' | 'config';

/** Filter keys of `GET /secrets` and `GET /configs`: only secrets take exact `names` (moby daemon/cluster/filters.go). */
const FILTERS: Record<Kind, readonly string[]> = { secret: ['names', 'name', 'id', 'label'], config: ['name', 'id', 'label'] };

interface BlobSpec {
  Name: string;
  Labels?: Record<string, string> | null;
  /** base64 */
  Data?: string;
  Driver?: { Name: string; Options?: Record<string, string> } | null;
  Templating?: { Name: string; Options?: Record<string, string> } | null;
}

interface BlobObject extends StoredObject {
  Spec: BlobSpec;
}

const NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;
const LIMIT = { secret: 500 * 1024, config: 1000 * 1024 };

function validate(kind: Kind, spec: BlobSpec): Buffer {
  if (!spec || typeof spec !== 'object') throw grpcError('InvalidArgument', `${kind} spec must be provided`);
  if (typeof spec.Name !== 'string' || spec.Name === '') throw grpcError('InvalidArgument', 'name must be provided');
  if (spec.Name.length > 64 || !NAME.test(spec.Name)) throw INVALID_OBJECT_NAME;
  const data = typeof spec.Data === 'string' ? Buffer.from(spec.Data, 'base64') : Buffer.alloc(0);
  const driven = kind === 'secret' && spec.Driver;
  if (driven && !spec.Driver!.Name) throw grpcError('InvalidArgument', 'secret driver must have a name');
  if (!driven && (data.length === 0 || data.length >= LIMIT[kind])) throw kind === 'secret' ? SECRET_DATA_SIZE : CONFIG_DATA_SIZE;
  return data;
}

/** As the API shows it: a secret's data never leaves the managers through the API. */
function render(kind: Kind, o: BlobObject): Record<string, unknown> {
  const { Data, ...specRest } = o.Spec;
  const spec = kind === 'secret' ? specRest : { ...specRest, Data };
  return { ID: o.ID, Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Spec: { ...spec, Labels: spec.Labels ?? {} } };
}

function find(ctx: ManagerContext, kind: Kind, ref: string): BlobObject {
  return lookup(ctx.store.list<BlobObject>(kind), ref, (o) => o.Spec.Name, kind);
}

export async function createBlob(ctx: ManagerContext, kind: Kind, spec: BlobSpec): Promise<{ ID: string }> {
  validate(kind, spec);
  if (ctx.store.findByName(kind, spec.Name)) throw alreadyExists(kind, spec.Name);
  const now = ctx.clock.iso();
  const object: BlobObject = {
    ID: newIdentityId(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: {
      Name: spec.Name,
      Labels: spec.Labels ?? {},
      ...(spec.Data !== undefined ? { Data: spec.Data } : {}),
      ...(spec.Driver ? { Driver: spec.Driver } : {}),
      ...(spec.Templating ? { Templating: spec.Templating } : {}),
    },
  };
  try {
    await commit(ctx, [{ action: 'create', table: kind, object }]);
  } catch (e) {
    // Two creates of one name raced: the one applied second is refused by the store.
    if (e instanceof ApiError && e.statusCode === 409) throw alreadyExists(kind, spec.Name);
    throw e;
  }
  return { ID: object.ID };
}

export function listBlobs(ctx: ManagerContext, kind: Kind, filtersRaw?: string): Record<string, unknown>[] {
  const f = decodeFilters(filtersRaw, FILTERS[kind]);
  return ctx.store
    .list<BlobObject>(kind)
    .filter((o) => {
      const ids = f.get('id');
      if (ids && !ids.some((v) => o.ID.startsWith(v))) return false;
      const names = f.get('name');
      if (names && !names.some((v) => o.Spec.Name.startsWith(v))) return false;
      const exact = f.get('names');
      if (exact && !exact.includes(o.Spec.Name)) return false;
      return matchesLabels(o.Spec.Labels ?? undefined, f.get('label'));
    })
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : 1))
    .map((o) => render(kind, o));
}

export function inspectBlob(ctx: ManagerContext, kind: Kind, ref: string): Record<string, unknown> {
  return render(kind, find(ctx, kind, ref));
}

export async function updateBlob(ctx: ManagerContext, kind: Kind, ref: string, version: number, spec: BlobSpec): Promise<void> {
  const o = find(ctx, kind, ref);
  if (!spec || typeof spec !== 'object') throw grpcError('InvalidArgument', `${kind} spec must be provided`);
  const sameName = spec.Name === undefined || spec.Name === o.Spec.Name;
  // SwarmKit compares the bytes: resending the same data (a second `stack deploy`) is no change.
  const sameData = spec.Data === undefined || spec.Data === '' || Buffer.from(spec.Data, 'base64').equals(Buffer.from(o.Spec.Data ?? '', 'base64'));
  if (!sameName || !sameData) throw ONLY_LABELS_UPDATABLE;
  await commit(ctx, [{ action: 'patch', table: kind, id: o.ID, set: { 'Spec.Labels': spec.Labels ?? {} }, expectVersion: version }]);
}

/** Names of the services whose spec references the secret or config (SwarmKit's ByReferencedSecretID). */
function usedBy(ctx: ManagerContext, kind: Kind, id: string): string[] {
  const field = kind === 'secret' ? 'Secrets' : 'Configs';
  return ctx.store
    .list<ServiceObject>('service')
    .filter((s) => (s.Spec.TaskTemplate?.ContainerSpec?.[field] ?? []).some((r: { SecretID?: string; ConfigID?: string }) => (r.SecretID ?? r.ConfigID) === id))
    .map((s) => s.Spec.Name)
    .sort();
}

export async function removeBlob(ctx: ManagerContext, kind: Kind, ref: string): Promise<void> {
  const o = find(ctx, kind, ref);
  const services = usedBy(ctx, kind, o.ID);
  if (services.length > 0) throw inUse(kind, o.Spec.Name, services);
  await commit(ctx, [{ action: 'delete', table: kind, id: o.ID }]);
}
