import { Packr, Unpackr } from 'msgpackr';

/**
 * msgpackr set up for bytes that come from other processes: plain MessagePack maps (no records, whose
 * shared structures would make one connection's decoding depend on its history) and no
 * structured-clone references. Binary values are copied out of the received chunk: a view would pin
 * a whole TLS record in memory for as long as, say, a Raft log keeps a small entry.
 */
const OPTIONS = { useRecords: false, structuredClone: false, moreTypes: false, copyBuffers: true } as const;

export function createPackr(): Packr {
  return new Packr(OPTIONS);
}

export function createUnpackr(): Unpackr {
  return new Unpackr(OPTIONS);
}
