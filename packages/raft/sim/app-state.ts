// The replicated state machine the simulated clients write to. Its state is a hash chain over
// every applied entry (index, term, content), so two nodes that report the same hash at one index
// applied exactly the same entries up to it. Snapshots carry the chain plus deterministic padding,
// which lets the simulator produce snapshots of any size (to exercise chunked transfer) and notice
// a snapshot that was reassembled wrongly.

import type { Entry } from '../src/types.js';

export interface AppState {
  /** Index of the last applied entry. */
  applied: number;
  /** Hash chain over every entry up to `applied`. */
  hash: number;
  /** Number of client writes applied. */
  writes: number;
}

export function initialAppState(): AppState {
  return { applied: 0, hash: 0, writes: 0 };
}

/** Client payloads: a little-endian u32 id, then `padding` bytes derived from the id. */
export function encodePayload(id: number, padding: number): Uint8Array {
  const data = new Uint8Array(4 + padding);
  data[0] = id & 0xff;
  data[1] = (id >>> 8) & 0xff;
  data[2] = (id >>> 16) & 0xff;
  data[3] = (id >>> 24) & 0xff;
  for (let i = 0; i < padding; i++) data[4 + i] = (id + i) & 0xff;
  return data;
}

/** The client write id carried by a normal entry, or 0 for the leader's empty no-op. */
export function payloadId(data: Uint8Array): number {
  if (data.length < 4) return 0;
  return (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
}

/** A 32-bit fingerprint of an entry's content, distinguishing its kind. */
export function entryFingerprint(e: Entry): number {
  if (e.type === 'normal') return e.data.length === 0 ? 0x6e6f6f70 : mix(0x77726974, payloadId(e.data));
  return mix(0x63636867, fnv1a(e.data));
}

export function applyEntry(s: AppState, e: Entry): void {
  s.applied = e.index;
  s.hash = mix(mix(mix(s.hash, e.index), e.term), entryFingerprint(e));
  if (e.type === 'normal' && e.data.length > 0) s.writes++;
}

const HEADER = 16;

export function encodeSnapshot(s: AppState, padding: number): Uint8Array {
  const data = new Uint8Array(HEADER + padding);
  const view = new DataView(data.buffer);
  view.setUint32(0, s.applied, true);
  view.setUint32(4, s.hash, true);
  view.setUint32(8, s.writes, true);
  view.setUint32(12, padding, true);
  for (let i = 0; i < padding; i++) data[HEADER + i] = paddingByte(s.hash, i);
  return data;
}

/** Decodes snapshot data; throws when it is not exactly what encodeSnapshot produced. */
export function decodeSnapshot(data: Uint8Array): AppState {
  if (data.length < HEADER) throw new Error(`snapshot data is ${data.length} bytes, shorter than its header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const state: AppState = { applied: view.getUint32(0, true), hash: view.getUint32(4, true), writes: view.getUint32(8, true) };
  const padding = view.getUint32(12, true);
  if (data.length !== HEADER + padding) {
    throw new Error(`snapshot data is ${data.length} bytes, its header says ${HEADER + padding}`);
  }
  for (let i = 0; i < padding; i++) {
    if (data[HEADER + i] !== paddingByte(state.hash, i)) throw new Error(`snapshot data is corrupt at byte ${HEADER + i}`);
  }
  return state;
}

function paddingByte(hash: number, i: number): number {
  return (hash + Math.imul(i, 31)) & 0xff;
}

export function mix(h: number, x: number): number {
  h = Math.imul(h ^ (x >>> 0), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}
