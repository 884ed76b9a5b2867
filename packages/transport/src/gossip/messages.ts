/**
 * Gossip messages. On the wire each is a MessagePack array starting with its type tag, and a packet's
 * plaintext is an array of messages (one probe message plus piggy-backed broadcasts), like memberlist's
 * compound messages.
 */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

export interface PingMessage { type: 'ping'; seq: number; target: string }
export interface AckMessage { type: 'ack'; seq: number }
export interface PingReqMessage { type: 'ping-req'; seq: number; target: string; address: string; port: number }
export interface AliveMessage { type: 'alive'; name: string; address: string; port: number; incarnation: number; meta: unknown }
export interface SuspectMessage { type: 'suspect'; name: string; incarnation: number; from: string }
export interface DeadMessage { type: 'dead'; name: string; incarnation: number; from: string }
export interface UserMessage { type: 'user'; origin: string; seq: number; topic: string; body: unknown }
export interface SyncEntry { name: string; address: string; port: number; incarnation: number; state: MemberState; meta: unknown }
/** Push/pull anti-entropy and join: a batch of member states; `reply` is false on the request. */
export interface SyncMessage { type: 'sync'; reply: boolean; entries: SyncEntry[] }

export type GossipMessage =
  | PingMessage
  | AckMessage
  | PingReqMessage
  | AliveMessage
  | SuspectMessage
  | DeadMessage
  | UserMessage
  | SyncMessage;

const TAGS = { ping: 0, ack: 1, 'ping-req': 2, alive: 3, suspect: 4, dead: 5, user: 6, sync: 7 } as const;
const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];

const MAX_NAME = 256;
const MAX_UINT32 = 0xffffffff;

/** The array form sent on the wire. */
export function toWire(message: GossipMessage): unknown[] {
  switch (message.type) {
    case 'ping':
      return [TAGS.ping, message.seq, message.target];
    case 'ack':
      return [TAGS.ack, message.seq];
    case 'ping-req':
      return [TAGS['ping-req'], message.seq, message.target, message.address, message.port];
    case 'alive':
      return [TAGS.alive, message.name, message.address, message.port, message.incarnation, message.meta];
    case 'suspect':
      return [TAGS.suspect, message.name, message.incarnation, message.from];
    case 'dead':
      return [TAGS.dead, message.name, message.incarnation, message.from];
    case 'user':
      return [TAGS.user, message.origin, message.seq, message.topic, message.body];
    case 'sync':
      return [TAGS.sync, message.reply, message.entries.map(syncEntryToWire)];
  }
}

export function syncEntryToWire(entry: SyncEntry): unknown[] {
  return [entry.name, entry.address, entry.port, entry.incarnation, STATES.indexOf(entry.state), entry.meta];
}

/** Validates one decoded message; null when it is not a well-formed gossip message. */
export function fromWire(value: unknown): GossipMessage | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const v = value;
  switch (v[0]) {
    case TAGS.ping:
      return v.length === 3 && isUint(v[1]) && isName(v[2]) ? { type: 'ping', seq: v[1], target: v[2] } : null;
    case TAGS.ack:
      return v.length === 2 && isUint(v[1]) ? { type: 'ack', seq: v[1] } : null;
    case TAGS['ping-req']:
      return v.length === 5 && isUint(v[1]) && isName(v[2]) && isAddress(v[3]) && isPort(v[4])
        ? { type: 'ping-req', seq: v[1], target: v[2], address: v[3], port: v[4] }
        : null;
    case TAGS.alive:
      return v.length === 6 && isName(v[1]) && isAddress(v[2]) && isPort(v[3]) && isUint(v[4])
        ? { type: 'alive', name: v[1], address: v[2], port: v[3], incarnation: v[4], meta: v[5] }
        : null;
    case TAGS.suspect:
    case TAGS.dead:
      return v.length === 4 && isName(v[1]) && isUint(v[2]) && isName(v[3])
        ? { type: v[0] === TAGS.suspect ? 'suspect' : 'dead', name: v[1], incarnation: v[2], from: v[3] }
        : null;
    case TAGS.user:
      return v.length === 5 && isName(v[1]) && isUint(v[2]) && isName(v[3])
        ? { type: 'user', origin: v[1], seq: v[2], topic: v[3], body: v[4] }
        : null;
    case TAGS.sync: {
      if (v.length !== 3 || typeof v[1] !== 'boolean' || !Array.isArray(v[2])) return null;
      const entries: SyncEntry[] = [];
      for (const raw of v[2] as unknown[]) {
        const entry = syncEntryFromWire(raw);
        if (!entry) return null;
        entries.push(entry);
      }
      return { type: 'sync', reply: v[1], entries };
    }
    default:
      return null;
  }
}

function syncEntryFromWire(value: unknown): SyncEntry | null {
  if (!Array.isArray(value) || value.length !== 6) return null;
  const [name, address, port, incarnation, state, meta] = value as unknown[];
  if (!isName(name) || !isAddress(address) || !isPort(port) || !isUint(incarnation)) return null;
  if (typeof state !== 'number' || !Number.isInteger(state) || state < 0 || state >= STATES.length) return null;
  return { name, address, port, incarnation, state: STATES[state], meta };
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME;
}

function isAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535;
}
