export {
  RaftDiskStorage,
  DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS,
  type RaftDiskStorageOptions,
  type SaveRequest,
} from './raft-storage.js';
export { StorageError, WAL_WRONG_KEY_MESSAGE, type StorageErrorCode } from './errors.js';
export { DEFAULT_SEGMENT_BYTES, type Datasync } from './wal.js';
export { DEK_BYTES } from './cipher.js';
export { raftDir, walDir, snapDir } from './paths.js';
