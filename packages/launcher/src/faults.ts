// Network fault shapes (Jepsen's nemesis vocabulary) turned into per-node NIC rules. Pure: the
// Lab sends the result to each node over its control channel.

import type { NicRules, PeerRule } from '@swarmlab/transport';

// The rules' contract is the NIC's own (transport nic/rules.ts, which validates them on arrival).
export type { NicRules, PeerRule };

export interface FaultNode {
  name: string;
  addr: string;
}

/** Rules for each node, by node name. Nodes not in the map get empty rules. */
export type RulePlan = Map<string, NicRules>;

function addPeerRule(plan: RulePlan, on: string, peerAddr: string, rule: PeerRule): void {
  const rules = plan.get(on) ?? { peers: {} };
  const peers = (rules.peers ??= {});
  const cur = peers[peerAddr] ?? {};
  if (rule.block) {
    const prev = cur.block;
    cur.block = prev && prev !== rule.block ? 'both' : rule.block;
  }
  peers[peerAddr] = { ...cur, ...rule, ...(cur.block ? { block: cur.block } : {}) };
  plan.set(on, rules);
}

/** Every node of one group is cut off (both ways) from every node of every other group. */
export function partitionPlan(nodes: FaultNode[], groups: string[][]): RulePlan {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) =>
    g.forEach((name) => {
      if (!byName.has(name)) throw new Error(`unknown node "${name}"`);
      if (groupOf.has(name)) throw new Error(`node "${name}" is in two groups`);
      groupOf.set(name, i);
    }),
  );
  // Nodes named in no group form a group of their own, as Jepsen's partitions do.
  const rest = nodes.filter((n) => !groupOf.has(n.name)).map((n) => n.name);
  if (rest.length > 0) rest.forEach((name) => groupOf.set(name, groups.length));
  const plan: RulePlan = new Map();
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b || groupOf.get(a.name) === groupOf.get(b.name)) continue;
      addPeerRule(plan, a.name, b.addr, { block: 'both' });
    }
  }
  return plan;
}

/** Explicit links: a node may talk only to the peers listed for it (bridge, majorities ring). */
export function connectivityPlan(nodes: FaultNode[], canTalk: (a: string, b: string) => boolean): RulePlan {
  const plan: RulePlan = new Map();
  for (const a of nodes) for (const b of nodes) if (a !== b && !canTalk(a.name, b.name)) addPeerRule(plan, a.name, b.addr, { block: 'both' });
  return plan;
}

/** Cuts the nodes in two halves (the first half the smaller one for odd counts). */
export function halves(names: string[]): [string[], string[]] {
  const mid = Math.floor(names.length / 2);
  return [names.slice(0, mid), names.slice(mid)];
}

/**
 * Jepsen's majorities ring: nodes sit on a ring and each talks only to its nearest neighbours,
 * enough of them that it sees a majority (itself included), yet no two nodes see the same one.
 */
export function majoritiesRing(names: string[]): (a: string, b: string) => boolean {
  const n = names.length;
  const reach = Math.ceil(Math.floor(n / 2) / 2);
  const index = new Map(names.map((x, i) => [x, i]));
  return (a, b) => {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) return true;
    const d = Math.abs(i - j);
    return Math.min(d, n - d) <= reach;
  };
}

/** Jepsen's bridge: two halves that only one node (the bridge) connects. */
export function bridge(names: string[]): (a: string, b: string) => boolean {
  const mid = Math.floor(names.length / 2);
  const left = new Set(names.slice(0, mid));
  const bridgeNode = names[mid];
  return (a, b) => a === bridgeNode || b === bridgeNode || left.has(a) === left.has(b);
}

/** The Engine API of these nodes cut from its users, as if their network to them were down. */
export function apiCutPlan(names: string[]): RulePlan {
  return new Map(names.map((name) => [name, { blockApi: true }]));
}

/**
 * Whom a partition cuts from the user when it includes the Engine API: the user (the docker CLI,
 * scripts) stands with the largest group (on a tie, the one holding the leader, else the first
 * given); the nodes of every other group, those named in none forming one more as in
 * partitionPlan, are cut from it.
 */
export function cutFromUser(all: string[], groups: string[][], leader: string | undefined): string[] {
  const named = new Set(groups.flat());
  const rest = all.filter((n) => !named.has(n));
  const sides = rest.length > 0 ? [...groups, rest] : groups;
  const largest = Math.max(...sides.map((g) => g.length));
  const candidates = sides.filter((g) => g.length === largest);
  const userSide = candidates.find((g) => leader !== undefined && g.includes(leader)) ?? candidates[0];
  return sides.filter((g) => g !== userSide).flat();
}

/** A one-way or two-way block between two nodes. */
export function blockPlan(from: FaultNode, to: FaultNode, oneWay: boolean): RulePlan {
  const plan: RulePlan = new Map();
  if (oneWay) {
    // from → to stops: from's egress to `to` and to's ingress from `from`.
    addPeerRule(plan, from.name, to.addr, { block: 'outbound' });
    addPeerRule(plan, to.name, from.addr, { block: 'inbound' });
  } else {
    addPeerRule(plan, from.name, to.addr, { block: 'both' });
    addPeerRule(plan, to.name, from.addr, { block: 'both' });
  }
  return plan;
}

export interface LinkShape {
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  rateBytesPerSec?: number;
}

/** Shapes traffic between two nodes: on each side's egress, or only from a to b with oneWay. */
export function linkPlan(a: FaultNode, b: FaultNode, shape: LinkShape, oneWay: boolean): RulePlan {
  const plan: RulePlan = new Map();
  addPeerRule(plan, a.name, b.addr, { ...shape, direction: 'outbound' });
  if (!oneWay) addPeerRule(plan, b.name, a.addr, { ...shape, direction: 'outbound' });
  return plan;
}

/** Merges plans: later rules for the same peer override earlier fields, blocks combine. */
export function mergePlans(...plans: RulePlan[]): RulePlan {
  const out: RulePlan = new Map();
  for (const plan of plans) {
    for (const [name, rules] of plan) {
      for (const [addr, rule] of Object.entries(rules.peers ?? {})) addPeerRule(out, name, addr, rule);
      if (rules.all) out.set(name, { ...(out.get(name) ?? {}), all: rules.all });
      if (rules.blockApi) out.set(name, { ...(out.get(name) ?? {}), blockApi: true });
    }
  }
  return out;
}

/** "100ms", "1.5s", "2m" → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 100ms, 2s, 1m)`);
  const v = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return v * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

/** "5%" or "0.05" → 0.05. */
export function parseLoss(text: string): number {
  const t = text.trim();
  const v = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`invalid loss "${text}" (use e.g. 5% or 0.05)`);
  return v;
}

/** "1mbit", "500kbit", "10MB", "1000" (bytes/s) → bytes per second. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit|b|kb|mb|gb|bps)?$/i.exec(text.trim());
  if (!m) throw new Error(`invalid rate "${text}" (use e.g. 1mbit, 500kbit, 10mb)`);
  const v = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor: Record<string, number> = { bit: 1 / 8, kbit: 125, mbit: 125_000, gbit: 125_000_000, b: 1, bps: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Math.max(1, Math.round(v * factor[unit]!));
}
