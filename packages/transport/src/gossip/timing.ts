/**
 * Gossip timing. The defaults are memberlist's DefaultLANConfig, which NetworkDB keeps; tests and
 * the `fast` profile pass much shorter values with the same ratios.
 */
export interface GossipTiming {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  gossipNodes: number;
  /** Members asked to ping-req a target that missed its direct ack. */
  indirectChecks: number;
  suspicionMult: number;
  retransmitMult: number;
  /** Full-state anti-entropy exchange with one random member (beyond 32 members, scaled: pushPullScaledMs). */
  pushPullIntervalMs: number;
  /** Dead members still get gossip for this long after dying, so they can refute it. */
  gossipToTheDeadMs: number;
  /**
   * Dead members are retried on every push/pull and forgotten after this long (NetworkDB keeps
   * failed nodes 24 h; members that left are forgotten just the same).
   */
  reconnectTimeoutMs: number;
  /** Fixed suspicion timeout; by default memberlist's suspicionMult × max(1, log10(n)) × probe interval. */
  suspicionTimeoutMs?: number;
}

export const LAN_TIMING: GossipTiming = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  indirectChecks: 3,
  suspicionMult: 4,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  gossipToTheDeadMs: 30_000,
  reconnectTimeoutMs: 24 * 3600_000,
};

export function suspicionTimeoutMs(timing: GossipTiming, liveMembers: number): number {
  if (timing.suspicionTimeoutMs !== undefined) return timing.suspicionTimeoutMs;
  const nodeScale = Math.max(1, Math.log10(Math.max(1, liveMembers)));
  return timing.suspicionMult * nodeScale * timing.probeIntervalMs;
}

/** memberlist's pushPullScaleThreshold: up to this many members the push/pull interval is as configured. */
const PUSH_PULL_SCALE_THRESHOLD = 32;

/**
 * memberlist's pushPullScale: beyond 32 members the interval grows with log2 of their number (2× up
 * to 64, 3× up to 128, 4× up to 256), so the full-state exchanges, each as large as the member
 * list, do not grow with the square of the cluster.
 */
export function pushPullScaledMs(intervalMs: number, members: number): number {
  if (members <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs;
  return intervalMs * (Math.ceil(Math.log2(members) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1);
}
