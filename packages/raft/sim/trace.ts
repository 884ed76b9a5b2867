// The run's recent history, kept cheaply: a ring buffer of records that are only turned into text
// when a run fails. Every record also feeds a running digest, so two runs of one seed can be
// compared event by event.

import type { Message } from '../src/types.js';
import { mix } from './app-state.js';

export type TraceKind = 'deliver' | 'drop' | 'fault' | 'role' | 'client' | 'member' | 'violation' | 'note';

interface TraceRecord {
  time: number;
  kind: TraceKind;
  msg: Message | undefined;
  text: string;
}

const KIND_CODES: Record<TraceKind, number> = {
  deliver: 1,
  drop: 2,
  fault: 3,
  role: 4,
  client: 5,
  member: 6,
  violation: 7,
  note: 8,
};

export class Trace {
  private readonly ring: TraceRecord[];
  private next = 0;
  private count = 0;
  /** Running hash of every record: equal digests mean (with overwhelming odds) equal runs. */
  digest = 0;

  constructor(readonly capacity: number) {
    this.ring = Array.from({ length: Math.max(1, capacity) }, () => ({ time: 0, kind: 'note' as TraceKind, msg: undefined, text: '' }));
  }

  /** A message delivered to its destination, or dropped (`reason` says why). */
  message(time: number, kind: 'deliver' | 'drop', msg: Message, reason = ''): void {
    this.digest = mix(mix(mix(mix(this.digest, time), KIND_CODES[kind]), msg.from * 16 + msg.to), msg.index + msg.term * 7919);
    this.put(time, kind, msg, reason);
  }

  event(time: number, kind: TraceKind, text: string): void {
    this.digest = mix(mix(mix(this.digest, time), KIND_CODES[kind]), text.length);
    this.put(time, kind, undefined, text);
  }

  private put(time: number, kind: TraceKind, msg: Message | undefined, text: string): void {
    const rec = this.ring[this.next];
    rec.time = time;
    rec.kind = kind;
    rec.msg = msg;
    rec.text = text;
    this.next = (this.next + 1) % this.ring.length;
    this.count++;
  }

  /** The last records as text lines, oldest first; time is shown in ticks. */
  lines(tick: number): string[] {
    const n = Math.min(this.count, this.ring.length);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const rec = this.ring[(this.next - n + i + this.ring.length) % this.ring.length];
      const t = (rec.time / tick).toFixed(2).padStart(8);
      const body = rec.msg ? `${formatMessage(rec.msg)}${rec.text ? ` (${rec.text})` : ''}` : rec.text;
      out.push(`${t} ${rec.kind.padEnd(9)} ${body}`);
    }
    return out;
  }
}

export function formatMessage(m: Message): string {
  let s = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'MsgApp':
      s += ` prev=${m.index}/t${m.logTerm} commit=${m.commit}`;
      if (m.entries.length > 0) s += ` ents=[${m.entries[0].index}..${m.entries[m.entries.length - 1].index}]/t${m.entries[m.entries.length - 1].term}`;
      break;
    case 'MsgAppResp':
      s += m.reject ? ` reject=${m.index} hint=${m.rejectHint}/t${m.logTerm}` : ` match=${m.index}`;
      break;
    case 'MsgVote':
    case 'MsgPreVote':
      s += ` last=${m.index}/t${m.logTerm}`;
      break;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      s += m.reject ? ' rejected' : ' granted';
      break;
    case 'MsgHeartbeat':
      s += ` commit=${m.commit}`;
      break;
    case 'MsgSnap':
      if (m.snapshot) s += ` snap=${m.snapshot.metadata.index}/t${m.snapshot.metadata.term}`;
      if (m.chunk) s += ` chunk=${m.chunk.offset}/${m.chunk.total}`;
      break;
    case 'MsgReadIndexResp':
      s += ` index=${m.index}`;
      break;
    default:
      break;
  }
  return s;
}
