// Where a manager keeps its Raft data inside the node's state directory, and how the files
// are named. The layout follows SwarmKit (`<stateDir>/raft/{wal,snap}-v3-encrypted`) and the
// file names follow etcd: WAL segments are `<seq>-<firstIndex>.wal`, snapshots
// `<term>-<index>.snap`, each number as 16 lowercase hex digits.

import path from 'node:path';

export const RAFT_DIR = 'raft';
export const WAL_DIR = 'wal-v3-encrypted';
export const SNAP_DIR = 'snap-v3-encrypted';
/** Suffix of files being written; a leftover one is from a crash and is deleted on open. */
export const TEMP_SUFFIX = '.tmp';

export function raftDir(stateDir: string): string {
  return path.join(stateDir, RAFT_DIR);
}

export function walDir(stateDir: string): string {
  return path.join(stateDir, RAFT_DIR, WAL_DIR);
}

export function snapDir(stateDir: string): string {
  return path.join(stateDir, RAFT_DIR, SNAP_DIR);
}

function hex16(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`raft storage: invalid file number ${n}`);
  return n.toString(16).padStart(16, '0');
}

const PAIR = /^([0-9a-f]{16})-([0-9a-f]{16})\.(wal|snap)$/;

function parsePair(name: string, ext: 'wal' | 'snap'): [number, number] | undefined {
  const m = PAIR.exec(name);
  if (!m || m[3] !== ext) return undefined;
  const a = Number.parseInt(m[1], 16);
  const b = Number.parseInt(m[2], 16);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return undefined;
  return [a, b];
}

export interface SegmentName {
  seq: number;
  /** Every record before this segment only concerns log indexes below firstIndex. */
  firstIndex: number;
}

export function segmentFileName(seq: number, firstIndex: number): string {
  return `${hex16(seq)}-${hex16(firstIndex)}.wal`;
}

export function parseSegmentFileName(name: string): SegmentName | undefined {
  const pair = parsePair(name, 'wal');
  return pair && { seq: pair[0], firstIndex: pair[1] };
}

export interface SnapName {
  term: number;
  index: number;
}

export function snapFileName(term: number, index: number): string {
  return `${hex16(term)}-${hex16(index)}.snap`;
}

export function parseSnapFileName(name: string): SnapName | undefined {
  const pair = parsePair(name, 'snap');
  return pair && { term: pair[0], index: pair[1] };
}
