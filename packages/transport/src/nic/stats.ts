import type { Flow } from './rules.js';

/** Counters for one peer address, as the launcher shows them. */
export interface PeerStats {
  /** TCP bytes delivered to/from the wire (TLS records included). */
  bytesIn: number;
  bytesOut: number;
  /** Link frames, counted by the links running over this NIC. */
  framesIn: number;
  framesOut: number;
  /** Datagrams delivered. */
  packetsIn: number;
  packetsOut: number;
  /** Datagrams dropped by a rule (block, loss, rate-limit queue overflow). */
  dropsIn: number;
  dropsOut: number;
  /** TCP bytes currently held back by a rule (block, delay, rate). */
  heldBytesIn: number;
  heldBytesOut: number;
  /** Open TCP connections with this peer. */
  connections: number;
  /** Connections destroyed by `reset`. */
  resets: number;
}

export type NicStats = Record<string, PeerStats>;

function emptyStats(): PeerStats {
  return {
    bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, packetsIn: 0, packetsOut: 0,
    dropsIn: 0, dropsOut: 0, heldBytesIn: 0, heldBytesOut: 0, connections: 0, resets: 0,
  };
}

/** Per-peer counters; entries appear on first traffic and are never removed while the NIC lives. */
export class StatsTable {
  private readonly peers = new Map<string, PeerStats>();

  for(peer: string): PeerStats {
    let stats = this.peers.get(peer);
    if (!stats) {
      stats = emptyStats();
      this.peers.set(peer, stats);
    }
    return stats;
  }

  addBytes(stats: PeerStats, flow: Flow, bytes: number): void {
    if (flow === 'inbound') stats.bytesIn += bytes;
    else stats.bytesOut += bytes;
  }

  addFrames(stats: PeerStats, flow: Flow, frames: number): void {
    if (flow === 'inbound') stats.framesIn += frames;
    else stats.framesOut += frames;
  }

  addPacket(stats: PeerStats, flow: Flow): void {
    if (flow === 'inbound') stats.packetsIn++;
    else stats.packetsOut++;
  }

  addDrop(stats: PeerStats, flow: Flow): void {
    if (flow === 'inbound') stats.dropsIn++;
    else stats.dropsOut++;
  }

  addHeld(stats: PeerStats, flow: Flow, delta: number): void {
    if (flow === 'inbound') stats.heldBytesIn += delta;
    else stats.heldBytesOut += delta;
  }

  snapshot(): NicStats {
    const out: NicStats = {};
    for (const [peer, stats] of this.peers) out[peer] = { ...stats };
    return out;
  }
}
