// Wire and state types of the Raft core, after etcd-io/raft's raftpb.
// Node IDs are plain numbers (SwarmKit's raft IDs are random uint63s; we keep them below 2^53).

export type NodeId = number;
/** 0 means "nobody" (no leader, no vote). */
export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'confChange';

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Normal entries: the application's payload (an empty payload is the leader's no-op).
   *  Conf-change entries: the encoded ConfChange (see encodeConfChange). */
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
  /** Voters of the outgoing configuration while in a joint configuration, else empty. */
  votersOutgoing: NodeId[];
  /** Voters of the outgoing config that become learners once the joint config is left. */
  learnersNext: NodeId[];
  /** Leave the joint configuration automatically once it is committed. */
  autoLeave: boolean;
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

export type ConfChangeType = 'addNode' | 'removeNode' | 'addLearner';

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: NodeId;
}

/**
 * 'auto': a single change is applied directly, several go through a joint configuration that
 * is left automatically. 'implicit': always joint, left automatically. 'explicit': always joint,
 * the application leaves it by proposing an empty ConfChange.
 */
export type ConfChangeTransition = 'auto' | 'implicit' | 'explicit';

export interface ConfChange {
  changes: ConfChangeSingle[];
  transition?: ConfChangeTransition;
  /** Opaque application data (SwarmKit: the marshalled RaftMember). */
  context?: Uint8Array;
}

export type MessageType =
  | 'MsgHup' // local: start an election
  | 'MsgBeat' // local: leader sends heartbeats
  | 'MsgProp' // local: proposal
  | 'MsgApp'
  | 'MsgAppResp'
  | 'MsgVote'
  | 'MsgVoteResp'
  | 'MsgPreVote'
  | 'MsgPreVoteResp'
  | 'MsgSnap'
  | 'MsgHeartbeat'
  | 'MsgHeartbeatResp'
  | 'MsgUnreachable' // local: the transport could not reach `from`
  | 'MsgSnapStatus' // local: the transport finished (or failed) sending a snapshot
  | 'MsgCheckQuorum' // local: leader checks it still hears from a quorum
  | 'MsgTransferLeader'
  | 'MsgTimeoutNow'
  | 'MsgReadIndex'
  | 'MsgReadIndexResp';

/** A chunk of a snapshot too large for one message; offset/total in bytes of `snapshot.data`. */
export interface SnapshotChunk {
  offset: number;
  total: number;
}

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** MsgApp: term of the entry before `entries`; votes: term of the candidate's last entry. */
  logTerm: number;
  /** MsgApp: index of the entry before `entries`; votes: the candidate's last index;
   *  MsgAppResp: the highest index matched (or the rejected index). */
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  /** Fast back-off on a rejected MsgApp: the follower's best guess of where logs may match. */
  rejectHint: number;
  snapshot?: Snapshot;
  chunk?: SnapshotChunk;
  /** ReadIndex request context; heartbeat context for read-only quorum checks. */
  context?: Uint8Array;
}

export type StateType = 'follower' | 'candidate' | 'preCandidate' | 'leader';

export interface SoftState {
  lead: NodeId;
  state: StateType;
}

export interface ReadState {
  index: number;
  context: Uint8Array;
}

export interface Ready {
  /** Present when the leader or role changed since the last Ready. */
  softState?: SoftState;
  /** Present when it changed; must be persisted before `messages` are sent. */
  hardState?: HardState;
  /** Unstable entries to append to stable storage before `messages` are sent. */
  entries: Entry[];
  /** A snapshot to persist and apply. */
  snapshot?: Snapshot;
  /** Committed entries to apply to the state machine. They were persisted earlier. */
  committedEntries: Entry[];
  /**
   * Messages to send after `entries`, `hardState` and `snapshot` are durable. A leader may send
   * its MsgApp, MsgHeartbeat and MsgSnap before (its disk write then runs in parallel with the
   * followers'); every other message must wait (see isSafeBeforePersist).
   */
  messages: Message[];
  readStates: ReadState[];
  /** Whether hardState/entries must be fsynced before sending messages. */
  mustSync: boolean;
}

export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** Messages a leader may send before its own Ready is durable (Raft thesis §10.2.1). */
export function isSafeBeforePersist(m: Message): boolean {
  return m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
}

export function isLocalMessage(type: MessageType): boolean {
  return (
    type === 'MsgHup' ||
    type === 'MsgBeat' ||
    type === 'MsgUnreachable' ||
    type === 'MsgSnapStatus' ||
    type === 'MsgCheckQuorum'
  );
}

export function isResponseMessage(type: MessageType): boolean {
  return (
    type === 'MsgAppResp' ||
    type === 'MsgVoteResp' ||
    type === 'MsgHeartbeatResp' ||
    type === 'MsgUnreachable' ||
    type === 'MsgPreVoteResp'
  );
}

export function voteRespType(type: MessageType): MessageType {
  if (type === 'MsgVote') return 'MsgVoteResp';
  if (type === 'MsgPreVote') return 'MsgPreVoteResp';
  throw new Error(`not a vote message: ${type}`);
}

/** A message with every field defaulted; callers set what they need. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NONE,
    to: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields,
  };
}

/** Approximate wire size of an entry (payload plus a fixed header), used for byte limits. */
export function entrySize(e: Entry): number {
  return e.data.length + 24;
}
