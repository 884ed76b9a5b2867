// Network partition shapes, after Jepsen's nemeses: each returns the directed links it cuts.

import type { SeededRandom } from '../src/rand.js';
import type { NodeId } from '../src/types.js';

export type PartitionKind = 'isolate' | 'halves' | 'majorities-ring' | 'bridge' | 'one-way';

export interface Partition {
  kind: PartitionKind;
  description: string;
  /** Directed links [from, to] that carry no message while the partition lasts. */
  cut: Array<[NodeId, NodeId]>;
}

const KINDS: PartitionKind[] = ['isolate', 'halves', 'majorities-ring', 'bridge', 'one-way'];

/**
 * Draws a partition of `nodes`. Half the time `focus` (the leader) takes the exposed place: the
 * isolated node, the smaller half, the bridge, the one-way node; that is where Raft's subtle
 * cases live.
 */
export function drawPartition(r: SeededRandom, nodes: readonly NodeId[], focus?: NodeId): Partition | undefined {
  if (nodes.length < 2) return undefined;
  const kind = r.pick(KINDS);
  const order = shuffled(r, nodes);
  if (focus !== undefined && order.includes(focus) && r.chance(0.5)) {
    order.splice(order.indexOf(focus), 1);
    order.unshift(focus);
  }
  switch (kind) {
    case 'isolate': {
      const [lone, ...rest] = order;
      return { kind, description: `isolate ${lone}`, cut: between([lone], rest) };
    }
    case 'halves': {
      const half = Math.floor(order.length / 2);
      const a = order.slice(0, half);
      const b = order.slice(half);
      return { kind, description: `halves ${fmt(a)} | ${fmt(b)}`, cut: between(a, b) };
    }
    case 'bridge': {
      // Two sides that only the bridge node can talk to.
      const [bridge, ...rest] = order;
      const half = Math.floor(rest.length / 2);
      const a = rest.slice(0, half);
      const b = rest.slice(half);
      return { kind, description: `bridge ${bridge} between ${fmt(a)} and ${fmt(b)}`, cut: between(a, b) };
    }
    case 'majorities-ring': {
      // Nodes on a ring each see their nearest neighbours: every node sees a majority, but no
      // two nodes see the same one.
      const n = order.length;
      const majority = Math.floor(n / 2) + 1;
      const reach = Math.ceil((majority - 1) / 2);
      const cut: Array<[NodeId, NodeId]> = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const d = Math.min(Math.abs(i - j), n - Math.abs(i - j));
          if (i !== j && d > reach) cut.push([order[i], order[j]]);
        }
      }
      return { kind, description: `majorities-ring ${fmt(order)} reach ${reach}`, cut };
    }
    case 'one-way': {
      // A node that can still send but hears nothing (or the reverse): the asymmetric failure
      // that check-quorum exists for.
      const [node, ...rest] = order;
      const deaf = r.chance(0.5);
      const cut: Array<[NodeId, NodeId]> = rest.map((o) => (deaf ? [o, node] : [node, o]));
      return { kind, description: deaf ? `one-way: ${node} hears nobody` : `one-way: nobody hears ${node}`, cut };
    }
  }
}

function between(a: readonly NodeId[], b: readonly NodeId[]): Array<[NodeId, NodeId]> {
  const cut: Array<[NodeId, NodeId]> = [];
  for (const x of a) {
    for (const y of b) {
      cut.push([x, y], [y, x]);
    }
  }
  return cut;
}

function shuffled(r: SeededRandom, ids: readonly NodeId[]): NodeId[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.intn(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function fmt(ids: readonly NodeId[]): string {
  return `{${ids.join(',')}}`;
}
