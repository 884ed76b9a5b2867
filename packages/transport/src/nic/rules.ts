/**
 * Fault rules for the emulated NIC: plain JSON data, keyed by the peer's IP address, so the launcher
 * can send them over its control channel and show them back.
 *
 * Semantics (documented here because they are the contract with the launcher):
 *  - `block`: traffic in that direction is not delivered. Datagrams are dropped. TCP bytes are held
 *    (as a real TCP stack keeps retransmitting into an iptables DROP): established connections stall,
 *    new connections hang in their handshake, and nothing moves until the block is lifted or the
 *    link's own heartbeat/handshake timeout gives up. Nothing held is ever delivered out of order.
 *  - `delayMs` ± `jitterMs`: every byte/packet waits that long. TCP bytes keep their order (a chunk
 *    never overtakes an earlier one); datagrams are delayed independently and may reorder.
 *  - `loss` (probability 0..1): a datagram is dropped; a TCP chunk instead stalls for a
 *    retransmission timeout (`retransmitMs`, default 200 ms, Linux's minimum RTO), with everything
 *    behind it, which is what a lost segment costs a TCP stream.
 *  - `rateBytesPerSec`: a token bucket (burst `burstBytes`, default rate/10 but at least 16 KiB).
 *    TCP senders are slowed through stream back-pressure; datagrams beyond a short queue are dropped.
 *  - `direction` scopes delay, jitter, loss and rate. Like `tc netem` on an interface it defaults to
 *    `outbound` (this node's egress); use `both` to shape both ways. `block` carries its own direction.
 *
 * `peers` maps a peer IP (e.g. "127.0.1.3") to its rule; `all` applies to every peer without an
 * entry of its own (a node isolated from everyone: `{ all: { block: 'both' } }`).
 *
 * `blockApi: true` cuts the node's Engine API from its users (the docker CLI, scripts), which does
 * not pass through the NIC: connections open but nothing is read from them, so requests hang until
 * the rule is lifted and are answered then, as after a cable put back. Responses already being
 * written when the rule arrives still leave.
 */
export type Direction = 'inbound' | 'outbound' | 'both';
export type Flow = 'inbound' | 'outbound';

export interface PeerRule {
  block?: Direction;
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  retransmitMs?: number;
  rateBytesPerSec?: number;
  burstBytes?: number;
  direction?: Direction;
}

export interface NicRules {
  peers?: Record<string, PeerRule>;
  all?: PeerRule;
  blockApi?: boolean;
}

/** What applies to one flow (one direction with one peer), resolved from the rules. */
export interface FlowPolicy {
  blocked: boolean;
  delayMs: number;
  jitterMs: number;
  loss: number;
  retransmitMs: number;
  rateBytesPerSec: number;
  burstBytes: number;
}

export const DEFAULT_RETRANSMIT_MS = 200;
const MIN_BURST_BYTES = 16 * 1024;

/** A rule set that cannot be applied; the NIC keeps its previous rules. */
export class NicRuleError extends Error {
  override readonly name = 'NicRuleError';
}

const DIRECTIONS: ReadonlySet<string> = new Set(['inbound', 'outbound', 'both']);
const RULE_KEYS: ReadonlySet<string> = new Set([
  'block', 'delayMs', 'jitterMs', 'loss', 'retransmitMs', 'rateBytesPerSec', 'burstBytes', 'direction',
]);
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Validates untrusted rules (they arrive as JSON) and returns a normalised copy. */
export function parseNicRules(input: unknown): NicRules {
  if (!isPlainObject(input)) throw new NicRuleError('NIC rules must be an object like { peers: { "127.0.1.3": { block: "both" } } }');
  for (const key of Object.keys(input)) {
    if (key !== 'peers' && key !== 'all' && key !== 'blockApi') throw new NicRuleError(`unknown NIC rules field "${key}" (expected "peers", "all" or "blockApi")`);
  }
  const rules: NicRules = {};
  if (input.peers !== undefined) {
    if (!isPlainObject(input.peers)) throw new NicRuleError('"peers" must map peer IP addresses to rules');
    rules.peers = {};
    for (const [address, rule] of Object.entries(input.peers)) {
      if (!isIPv4(address)) throw new NicRuleError(`"${address}" is not an IPv4 address`);
      rules.peers[address] = parsePeerRule(rule, `peers["${address}"]`);
    }
  }
  if (input.all !== undefined) rules.all = parsePeerRule(input.all, 'all');
  if (input.blockApi !== undefined) {
    if (typeof input.blockApi !== 'boolean') throw new NicRuleError('"blockApi" must be true or false');
    if (input.blockApi) rules.blockApi = true;
  }
  return rules;
}

function parsePeerRule(input: unknown, where: string): PeerRule {
  if (!isPlainObject(input)) throw new NicRuleError(`${where} must be an object`);
  for (const key of Object.keys(input)) {
    if (!RULE_KEYS.has(key)) throw new NicRuleError(`${where}: unknown field "${key}"`);
  }
  const rule: PeerRule = {};
  if (input.block !== undefined) rule.block = parseDirection(input.block, `${where}.block`);
  if (input.direction !== undefined) rule.direction = parseDirection(input.direction, `${where}.direction`);
  const numbers: [keyof PeerRule, number, number][] = [
    ['delayMs', 0, 3_600_000],
    ['jitterMs', 0, 3_600_000],
    ['loss', 0, 1],
    ['retransmitMs', 1, 120_000],
    ['rateBytesPerSec', 1, 1e12],
    ['burstBytes', 1, 1e12],
  ];
  for (const [key, min, max] of numbers) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new NicRuleError(`${where}.${key} must be a number from ${min} to ${max}`);
    }
    (rule as Record<string, number>)[key] = value;
  }
  return rule;
}

function parseDirection(value: unknown, where: string): Direction {
  if (typeof value !== 'string' || !DIRECTIONS.has(value)) throw new NicRuleError(`${where} must be "inbound", "outbound" or "both"`);
  return value as Direction;
}

/** The policy for one flow, or null when nothing applies (the fast path: bytes pass straight through). */
export function resolveFlowPolicy(rules: NicRules, peer: string, flow: Flow): FlowPolicy | null {
  const rule = rules.peers?.[peer] ?? rules.all;
  if (!rule) return null;
  const blocked = covers(rule.block, flow);
  const shaped = covers(rule.direction ?? 'outbound', flow);
  const delayMs = shaped ? rule.delayMs ?? 0 : 0;
  const jitterMs = shaped ? rule.jitterMs ?? 0 : 0;
  const loss = shaped ? rule.loss ?? 0 : 0;
  const rateBytesPerSec = shaped ? rule.rateBytesPerSec ?? 0 : 0;
  if (!blocked && delayMs === 0 && jitterMs === 0 && loss === 0 && rateBytesPerSec === 0) return null;
  return {
    blocked,
    delayMs,
    jitterMs,
    loss,
    retransmitMs: rule.retransmitMs ?? DEFAULT_RETRANSMIT_MS,
    rateBytesPerSec,
    burstBytes: rule.burstBytes ?? Math.max(MIN_BURST_BYTES, Math.floor(rateBytesPerSec / 10)),
  };
}

function covers(direction: Direction | undefined, flow: Flow): boolean {
  return direction === 'both' || direction === flow;
}

export function isIPv4(address: string): boolean {
  const match = IPV4.exec(address);
  return match !== null && match.slice(1).every((part) => Number(part) <= 255);
}

/** Node reports IPv4 peers on dual-stack sockets as "::ffff:a.b.c.d"; rules use the plain form. */
export function normalizePeerAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
