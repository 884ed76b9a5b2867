// Typed errors of the Raft core. Messages follow SwarmKit's texts where it has one.

export type RaftErrorCode =
  | 'NotLeader'
  | 'NoLeader'
  | 'ProposalTooLarge'
  | 'ProposalDropped'
  | 'ConfChangePending'
  | 'Compacted'
  | 'Unavailable'
  | 'SnapOutOfDate'
  | 'StepLocalMessage'
  | 'StepPeerNotFound'
  | 'InvalidConfChange';

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

/** A proposal reached a node that is not the leader; `leader` says who is (0 when unknown). */
export class NotLeaderError extends RaftError {
  constructor(readonly leader: number) {
    super('NotLeader', 'raft: failed to process the request: node lost leader status');
  }
}

export class NoLeaderError extends RaftError {
  constructor() {
    super('NoLeader', 'raft: no elected cluster leader');
  }
}

export class ProposalTooLargeError extends RaftError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super('ProposalTooLarge', 'raft: raft message is too large and can\'t be sent');
  }
}

export class ConfChangePendingError extends RaftError {
  constructor() {
    super(
      'ConfChangePending',
      'raft: a configuration change is already in progress; retry once it is applied',
    );
  }
}

export const errCompacted = () =>
  new RaftError('Compacted', 'requested index is unavailable due to compaction');
export const errUnavailable = () =>
  new RaftError('Unavailable', 'requested entry at index is unavailable');
export const errSnapOutOfDate = () =>
  new RaftError('SnapOutOfDate', 'requested index is older than the existing snapshot');
