// The replicated store (SwarmKit's manager/state/store): every manager holds the same objects,
// changed only by applying committed Raft entries, in order. An object's Version.Index is the
// Raft index of its last change. Applying is deterministic: a transaction whose preconditions
// fail (stale version, name taken, missing object) is refused identically on every manager.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Packr } from 'msgpackr';
import { arrayElements, arrayHeader, mapHeader } from '@swarmlab/transport';

export const TABLES = ['cluster', 'node', 'service', 'task', 'network', 'secret', 'config'] as const;
export type Table = (typeof TABLES)[number];

export interface StoredObject {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  [field: string]: unknown;
}

export type Change =
  | { action: 'create'; table: Table; object: StoredObject }
  | { action: 'update'; table: Table; object: StoredObject; /** refuse unless the stored version is this */ expectVersion?: number }
  | { action: 'delete'; table: Table; id: string; expectVersion?: number }
  /**
   * Sets fields of the object as it is when the entry applies (dotted paths reach nested
   * fields). For writes the system makes on its own (node status, role, keys): they must not
   * undo a concurrent user update by writing back a stale copy of the whole object.
   */
  | { action: 'patch'; table: Table; id: string; set: Record<string, unknown>; expectVersion?: number };

export interface Transaction {
  changes: Change[];
  /** The proposing leader's emulated time, so every manager stamps the same CreatedAt/UpdatedAt. */
  time: string;
}

export interface StoreEvent {
  action: 'create' | 'update' | 'delete';
  table: Table;
  object: StoredObject;
  old?: StoredObject;
}

export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly kind: 'out-of-sequence' | 'exists' | 'not-found' | 'name-conflict',
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** Tables whose objects carry a unique Spec.Name. */
const NAMED: ReadonlySet<Table> = new Set(['service', 'network', 'secret', 'config']);

export function objectName(o: StoredObject): string | undefined {
  const spec = o.Spec as { Name?: string } | undefined;
  return spec?.Name;
}

const packr = new Packr({ useRecords: false, moreTypes: true });

/** Objects packed per piece of a capture: well under a millisecond of work each. */
const CAPTURE_SLICE_OBJECTS = 256;

export interface StoreCapture {
  /** The serialized store in pieces; each is packed only when the iteration reaches it. */
  pieces(): Generator<Uint8Array>;
}

export class MemoryStore extends EventEmitter {
  private tables = new Map<Table, Map<string, StoredObject>>(TABLES.map((t) => [t, new Map()]));
  /** Spec.Name → ID for the tables whose names are unique (kept in step with `tables`). */
  private names = new Map<Table, Map<string, string>>([...NAMED].map((t) => [t, new Map()]));
  /** Raft index of the last applied transaction. */
  appliedIndex = 0;

  get<T extends StoredObject = StoredObject>(table: Table, id: string): T | undefined {
    return this.tables.get(table)!.get(id) as T | undefined;
  }

  list<T extends StoredObject = StoredObject>(table: Table): T[] {
    return [...this.tables.get(table)!.values()] as T[];
  }

  count(table: Table): number {
    return this.tables.get(table)!.size;
  }

  findByName<T extends StoredObject = StoredObject>(table: Table, name: string): T | undefined {
    const index = this.names.get(table);
    if (index) {
      const id = index.get(name);
      return id === undefined ? undefined : (this.get<T>(table, id));
    }
    for (const o of this.tables.get(table)!.values()) if (objectName(o) === name) return o as T;
    return undefined;
  }

  /** Checks a transaction against the current state without applying it. */
  check(tx: Transaction): void {
    const pending = new Map<string, StoredObject | null>();
    const current = (table: Table, id: string) => {
      const k = `${table}/${id}`;
      return pending.has(k) ? (pending.get(k) ?? undefined) : this.get(table, id);
    };
    for (const c of tx.changes) {
      if (!TABLES.includes(c.table)) throw new Error(`unknown table ${String(c.table)}`);
      if (c.action === 'create') {
        if (current(c.table, c.object.ID)) throw new StoreConflictError(`object ${c.object.ID} already exists`, 'exists');
        this.checkName(c.table, c.object, pending);
        pending.set(`${c.table}/${c.object.ID}`, c.object);
      } else if (c.action === 'update') {
        const cur = current(c.table, c.object.ID);
        if (!cur) throw new StoreConflictError(`${c.table} ${c.object.ID} not found`, 'not-found');
        if (c.expectVersion !== undefined && cur.Version.Index !== c.expectVersion) {
          throw new StoreConflictError('update out of sequence', 'out-of-sequence');
        }
        this.checkName(c.table, c.object, pending);
        pending.set(`${c.table}/${c.object.ID}`, c.object);
      } else if (c.action === 'patch') {
        const cur = current(c.table, c.id);
        if (!cur) throw new StoreConflictError(`${c.table} ${c.id} not found`, 'not-found');
        if (c.expectVersion !== undefined && cur.Version.Index !== c.expectVersion) {
          throw new StoreConflictError('update out of sequence', 'out-of-sequence');
        }
        pending.set(`${c.table}/${c.id}`, patched(cur, c.set));
      } else {
        const cur = current(c.table, c.id);
        if (!cur) throw new StoreConflictError(`${c.table} ${c.id} not found`, 'not-found');
        if (c.expectVersion !== undefined && cur.Version.Index !== c.expectVersion) {
          throw new StoreConflictError('update out of sequence', 'out-of-sequence');
        }
        pending.set(`${c.table}/${c.id}`, null);
      }
    }
  }

  private checkName(table: Table, o: StoredObject, pending: Map<string, StoredObject | null>): void {
    if (!NAMED.has(table)) return;
    const name = objectName(o);
    if (!name) return;
    const conflict = (): never => {
      throw new StoreConflictError(`name conflicts with an existing object: ${table} ${name} already exists`, 'name-conflict');
    };
    const holder = this.names.get(table)!.get(name);
    // Taken by another object that this transaction neither deletes nor renames.
    if (holder !== undefined && holder !== o.ID) {
      const p = pending.get(`${table}/${holder}`);
      if (p === undefined || (p !== null && objectName(p) === name)) conflict();
    }
    // Taken by another object created or renamed earlier in this same transaction.
    for (const [key, p] of pending) {
      if (p && key.startsWith(`${table}/`) && p.ID !== o.ID && objectName(p) === name) conflict();
    }
  }

  private indexName(table: Table, old: StoredObject | undefined, now: StoredObject | undefined): void {
    const index = this.names.get(table);
    if (!index) return;
    const oldName = old && objectName(old);
    if (oldName && index.get(oldName) === old!.ID) index.delete(oldName);
    const newName = now && objectName(now);
    if (newName) index.set(newName, now!.ID);
  }

  /**
   * Applies a committed transaction at Raft index `index`. Returns the error that refused it,
   * if any; a refused transaction changes nothing.
   */
  apply(index: number, tx: Transaction): StoreConflictError | undefined {
    try {
      this.check(tx);
    } catch (e) {
      this.appliedIndex = index;
      if (e instanceof StoreConflictError) return e;
      throw e;
    }
    const events: StoreEvent[] = [];
    for (const c of tx.changes) {
      const table = this.tables.get(c.table)!;
      if (c.action === 'delete') {
        const old = table.get(c.id)!;
        table.delete(c.id);
        this.indexName(c.table, old, undefined);
        events.push({ action: 'delete', table: c.table, object: old });
        continue;
      }
      const base = c.action === 'patch' ? patched(table.get(c.id)!, c.set) : c.object;
      const old = table.get(base.ID);
      const object: StoredObject = {
        ...base,
        Version: { Index: index },
        CreatedAt: old?.CreatedAt ?? tx.time,
        UpdatedAt: tx.time,
      };
      table.set(object.ID, object);
      this.indexName(c.table, old, object);
      events.push({ action: c.action === 'create' ? 'create' : 'update', table: c.table, object, old });
    }
    this.appliedIndex = index;
    for (const ev of events) this.emit('change', ev);
    return undefined;
  }

  /** Serializes every table (for Raft snapshots). */
  snapshot(): Uint8Array {
    return Buffer.concat([...this.capture().pieces()]);
  }

  /**
   * The store as it is now, to be serialized later a slice at a time: each table's objects are
   * listed at once (a change replaces an object, it never edits one in place, so what is listed
   * stays as it was). The pieces concatenate to what snapshot() returns.
   */
  capture(): StoreCapture {
    const appliedIndex = this.appliedIndex;
    const tables = TABLES.map((t) => [t, this.list(t)] as const);
    return {
      *pieces() {
        yield Buffer.concat([mapHeader(2), packr.pack('appliedIndex'), packr.pack(appliedIndex), packr.pack('data'), mapHeader(tables.length)]);
        for (const [table, objects] of tables) {
          yield Buffer.concat([packr.pack(table), arrayHeader(objects.length)]);
          for (let i = 0; i < objects.length; i += CAPTURE_SLICE_OBJECTS) yield arrayElements(packr.pack(objects.slice(i, i + CAPTURE_SLICE_OBJECTS)));
        }
      },
    };
  }

  restore(bytes: Uint8Array): void {
    const { appliedIndex, data } = packr.unpack(bytes) as { appliedIndex: number; data: Record<string, StoredObject[]> };
    this.tables = new Map(TABLES.map((t) => [t, new Map((data[t] ?? []).map((o) => [o.ID, o]))]));
    this.names = new Map([...NAMED].map((t) => [t, new Map()]));
    for (const t of NAMED) for (const o of this.tables.get(t)!.values()) this.indexName(t, undefined, o);
    this.appliedIndex = appliedIndex;
    this.emit('restored');
  }

  /** A digest of the whole store, equal on managers that applied the same entries. */
  digest(): string {
    const h = createHash('sha256');
    for (const t of TABLES) {
      const objs = this.list(t).sort((a, b) => (a.ID < b.ID ? -1 : 1));
      for (const o of objs) h.update(`${t}/${o.ID}@${o.Version.Index};`);
    }
    return h.digest('hex');
  }
}

/**
 * A copy of `o` with the dotted paths in `set` replaced. Only the objects along each path are
 * copied; the rest is shared with `o` (stored objects are never changed in place), so patching a
 * task's Status costs the same however large its Spec is, and unchanged parts keep their identity.
 */
export function patched(o: StoredObject, set: Record<string, unknown>): StoredObject {
  const copy: Record<string, unknown> = { ...o };
  // Objects already copied for this patch: two paths through one parent copy it once.
  const fresh = new Set<object>([copy]);
  for (const [path, value] of Object.entries(set)) {
    const keys = path.split('.');
    let target = copy;
    for (const k of keys.slice(0, -1)) {
      const next = target[k];
      let child: Record<string, unknown>;
      if (next && typeof next === 'object' && fresh.has(next)) child = next as Record<string, unknown>;
      else if (Array.isArray(next)) child = [...next] as unknown as Record<string, unknown>;
      else child = next && typeof next === 'object' ? { ...(next as Record<string, unknown>) } : {};
      fresh.add(child);
      target[k] = child;
      target = child;
    }
    target[keys[keys.length - 1]] = value;
  }
  return copy as StoredObject;
}

/** Checks the shape of a transaction decoded from a log entry. */
export function validTransaction(tx: unknown): Transaction {
  const t = tx as Transaction;
  if (!t || !Array.isArray(t.changes) || typeof t.time !== 'string') throw new Error('store: malformed transaction');
  return t;
}
