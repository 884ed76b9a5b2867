export * from './types.js';
export * from './errors.js';
export * from './config.js';
export * from './rand.js';
export { MemoryStorage, type Storage } from './storage.js';
export { encodeConfChange, decodeConfChange } from './confchange-codec.js';
export { Raft } from './raft.js';
export { RawNode, type Status } from './rawnode.js';
export { majorityCommitted, majorityVoteResult, jointCommitted, jointVoteResult } from './quorum.js';
