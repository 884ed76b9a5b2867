// Errors of the on-disk Raft storage. Each carries a code so callers can react without
// matching on message text.

export type StorageErrorCode =
  | 'WrongKey' // a checksummed record did not decrypt with any of the keys given
  | 'Corrupt' // data that cannot be trusted in a place where dropping it would lose commits
  | 'Closed'
  | 'WriteFailed' // an earlier write or fsync failed, the WAL tail is in an unknown state
  | 'InvalidArgument';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export const WAL_WRONG_KEY_MESSAGE = 'raft: could not decrypt WAL: wrong key or corrupt data';

export const errWalWrongKey = () => new StorageError('WrongKey', WAL_WRONG_KEY_MESSAGE);

export const errSnapWrongKey = (file: string) =>
  new StorageError('WrongKey', `raft: could not decrypt snapshot ${file}: wrong key or corrupt data`);

export const errClosed = () => new StorageError('Closed', 'raft: storage is closed');
