import { describe, expect, it } from 'vitest';
import { unpack } from 'msgpackr';
import { MemoryStore, patched, TABLES, type StoredObject } from '../src/store/memory.js';

const obj = (ID: string, Name: string): StoredObject => ({ ID, Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Spec: { Name } });
const T = '2026-11-26T00:00:00.000000000Z';

describe('the replicated store', () => {
  it('versions objects by Raft index and refuses stale updates identically', () => {
    const s = new MemoryStore();
    expect(s.apply(5, { time: T, changes: [{ action: 'create', table: 'config', object: obj('a', 'one') }] })).toBeUndefined();
    expect(s.get('config', 'a')!.Version.Index).toBe(5);
    const stale = s.apply(6, { time: T, changes: [{ action: 'patch', table: 'config', id: 'a', set: { 'Spec.Labels': { x: '1' } }, expectVersion: 4 }] });
    expect(stale?.kind).toBe('out-of-sequence');
    expect(s.get('config', 'a')!.Version.Index).toBe(5);
    expect(s.apply(7, { time: T, changes: [{ action: 'patch', table: 'config', id: 'a', set: { 'Spec.Labels': { x: '1' } }, expectVersion: 5 }] })).toBeUndefined();
    expect(s.get('config', 'a')).toMatchObject({ Version: { Index: 7 }, Spec: { Name: 'one', Labels: { x: '1' } } });
  });

  it('keeps names unique, with renames, deletes and re-creates in one transaction', () => {
    const s = new MemoryStore();
    s.apply(1, { time: T, changes: [{ action: 'create', table: 'secret', object: obj('a', 'n1') }] });
    expect(s.apply(2, { time: T, changes: [{ action: 'create', table: 'secret', object: obj('b', 'n1') }] })?.kind).toBe('name-conflict');
    // Two creates of one name in one transaction.
    expect(s.apply(3, { time: T, changes: [{ action: 'create', table: 'secret', object: obj('c', 'n2') }, { action: 'create', table: 'secret', object: obj('d', 'n2') }] })?.kind).toBe('name-conflict');
    expect(s.findByName('secret', 'n2')).toBeUndefined();
    // Delete and re-create the name at once.
    expect(s.apply(4, { time: T, changes: [{ action: 'delete', table: 'secret', id: 'a' }, { action: 'create', table: 'secret', object: obj('e', 'n1') }] })).toBeUndefined();
    expect(s.findByName('secret', 'n1')!.ID).toBe('e');
    // Rename frees the old name.
    s.apply(5, { time: T, changes: [{ action: 'patch', table: 'secret', id: 'e', set: { 'Spec.Name': 'n3' } }] });
    expect(s.findByName('secret', 'n1')).toBeUndefined();
    expect(s.findByName('secret', 'n3')!.ID).toBe('e');
    // Same names in different tables do not clash.
    expect(s.apply(6, { time: T, changes: [{ action: 'create', table: 'config', object: obj('f', 'n3') }] })).toBeUndefined();
  });

  it('round-trips through a snapshot with the same digest and name index', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 50; i++) s.apply(i, { time: T, changes: [{ action: 'create', table: 'config', object: obj(`id${i}`, `name${i}`) }] });
    const r = new MemoryStore();
    r.restore(s.snapshot());
    expect(r.digest()).toBe(s.digest());
    expect(r.appliedIndex).toBe(50);
    expect(r.findByName('config', 'name17')!.ID).toBe('id17');
  });

  it('serializes a capture a slice at a time to what one pack of the whole store gives', () => {
    const s = new MemoryStore();
    // More objects than one slice holds, and more than a 16-bit array length in no table.
    for (let i = 1; i <= 1000; i++) s.apply(i, { time: T, changes: [{ action: 'create', table: i % 3 ? 'config' : 'secret', object: obj(`id${i}`, `name${i}`) }] });
    const capture = s.capture();
    const pieces = [...capture.pieces()];
    expect(pieces.length).toBeGreaterThan(TABLES.length + 2);
    const whole = Object.fromEntries(TABLES.map((t) => [t, s.list(t)]));
    expect(unpack(Buffer.concat(pieces))).toEqual({ appliedIndex: 1000, data: whole });
    expect(Buffer.from(s.snapshot()).equals(Buffer.concat(pieces))).toBe(true);
  });

  it('keeps a capture as it was when taken, whatever is applied before it is serialized', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 10; i++) s.apply(i, { time: T, changes: [{ action: 'create', table: 'config', object: obj(`id${i}`, `name${i}`) }] });
    const before = s.digest();
    const capture = s.capture();
    s.apply(11, { time: T, changes: [{ action: 'patch', table: 'config', id: 'id1', set: { 'Spec.Labels': { late: 'yes' } } }, { action: 'delete', table: 'config', id: 'id2' }] });
    const r = new MemoryStore();
    r.restore(Buffer.concat([...capture.pieces()]));
    expect(r.appliedIndex).toBe(10);
    expect(r.digest()).toBe(before);
    expect(r.get('config', 'id1')!.Spec).toEqual({ Name: 'name1' });
  });

  it('patches by copying only the objects along each path, sharing the rest', () => {
    const before: StoredObject = { ...obj('t', 'task'), Spec: { Name: 'task', Image: { Ref: 'busybox' } }, Status: { State: 'assigned', Detail: { Pid: 0 } }, Ports: [{ Port: 1 }, { Port: 2 }] };
    const frozen = structuredClone(before);
    const after = patched(before, { 'Status.State': 'running', 'Status.Detail.Pid': 42, 'Ports.1': { Port: 3 }, 'New.Deep.Field': true });
    expect(after).toEqual({ ...frozen, Status: { State: 'running', Detail: { Pid: 42 } }, Ports: [{ Port: 1 }, { Port: 3 }], New: { Deep: { Field: true } } });
    expect(Array.isArray(after.Ports)).toBe(true);
    // The original is untouched; what no path went through is the very same object.
    expect(before).toEqual(frozen);
    expect(after.Spec).toBe(before.Spec);
    expect(after.Status).not.toBe(before.Status);
    expect((after.Ports as unknown[])[0]).toBe((before.Ports as unknown[])[0]);
  });

  it('stores a patch without touching the previous version of the object', () => {
    const s = new MemoryStore();
    s.apply(1, { time: T, changes: [{ action: 'create', table: 'task', object: { ...obj('t', 'x'), Status: { State: 'new' } } }] });
    const v1 = s.get('task', 't')!;
    s.apply(2, { time: T, changes: [{ action: 'patch', table: 'task', id: 't', set: { 'Status.State': 'pending' } }] });
    expect(v1.Status).toEqual({ State: 'new' });
    expect(s.get('task', 't')).toMatchObject({ Version: { Index: 2 }, Status: { State: 'pending' } });
    expect(s.get('task', 't')!.Spec).toBe(v1.Spec);
  });
});
