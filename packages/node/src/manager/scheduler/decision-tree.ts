// Placement preferences as a tree (SwarmKit manager/scheduler/nodeset.go tree(), decision_tree.go):
// each `spread=node.labels.x` level splits nodes by the label's value ("" when missing), and the
// leaves hold the best nodes for the task group, at most as many as there are tasks.

import type { PlacementPreference } from '@swarmlab/api';
import { ENGINE_LABEL_PREFIX, labelValue, NODE_LABEL_PREFIX } from './constraint.js';
import { activeTasksOfService, type NodeInfo } from './node-info.js';

export type NodeLess = (a: NodeInfo, b: NodeInfo) => boolean;

export interface DecisionTree {
  /** Active tasks of the service already on this subtree's nodes. */
  tasks: number;
  /** Branches by label value; absent on leaves. */
  next?: Map<string, DecisionTree>;
  /** Leaf nodes; once ordered, later calls re-check them against the filters. */
  nodes: NodeInfo[];
  ordered: boolean;
}

function emptyTree(): DecisionTree {
  return { tasks: 0, nodes: [], ordered: false };
}

/** A total order from nodeLess, ties broken by node ID so placements are reproducible. */
export function compareNodes(less: NodeLess): (a: NodeInfo, b: NodeInfo) => number {
  return (a, b) => {
    if (less(a, b)) return -1;
    if (less(b, a)) return 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

function spreadValue(descriptor: string, info: NodeInfo): string | undefined {
  const lower = descriptor.toLowerCase();
  if (descriptor.length > NODE_LABEL_PREFIX.length && lower.startsWith(NODE_LABEL_PREFIX)) {
    return labelValue(info.node.Spec.Labels, descriptor.slice(NODE_LABEL_PREFIX.length));
  }
  if (descriptor.length > ENGINE_LABEL_PREFIX.length && lower.startsWith(ENGINE_LABEL_PREFIX)) {
    return labelValue(info.node.Description?.Engine?.Labels, descriptor.slice(ENGINE_LABEL_PREFIX.length));
  }
  // Other descriptors are not supported and do not add a level.
  return undefined;
}

export function buildTree(
  nodes: readonly NodeInfo[],
  serviceId: string,
  preferences: readonly PlacementPreference[],
  maxAssignments: number,
  meetsConstraints: (n: NodeInfo) => boolean,
  less: NodeLess,
): DecisionTree {
  const root = emptyTree();
  if (maxAssignments === 0) return root;
  const order = compareNodes(less);
  for (const info of nodes) {
    const serviceTasks = activeTasksOfService(info, serviceId);
    let tree = root;
    for (const pref of preferences) {
      const descriptor = pref.Spread?.SpreadDescriptor;
      if (descriptor === undefined) continue;
      const value = spreadValue(descriptor, info);
      if (value === undefined) continue;
      tree.tasks += serviceTasks;
      tree.next ??= new Map();
      let next = tree.next.get(value);
      if (!next) {
        next = emptyTree();
        tree.next.set(value, next);
      }
      tree = next;
    }
    tree.tasks += serviceTasks;
    // Keep the maxAssignments best nodes: a node is checked against the filters only when it
    // could enter the leaf, which is what the failure counts of "no suitable node" reflect.
    if (tree.nodes.length < maxAssignments) {
      if (meetsConstraints(info)) tree.nodes.push(info);
    } else {
      let worst = 0;
      for (let i = 1; i < tree.nodes.length; i++) if (order(tree.nodes[i], tree.nodes[worst]) > 0) worst = i;
      if (less(info, tree.nodes[worst]) && meetsConstraints(info)) tree.nodes[worst] = info;
    }
  }
  return root;
}

/** The leaf's nodes, best first. A leaf ordered before is re-filtered, as nodes changed since. */
export function orderedNodes(leaf: DecisionTree, meetsConstraints: (n: NodeInfo) => boolean, less: NodeLess): NodeInfo[] {
  if (leaf.ordered) leaf.nodes = leaf.nodes.filter((n) => meetsConstraints(n));
  leaf.nodes.sort(compareNodes(less));
  leaf.ordered = true;
  return leaf.nodes;
}

/** Branches in a fixed order (by label value) where Go iterates a map. */
export function branches(tree: DecisionTree): DecisionTree[] {
  return [...(tree.next ?? new Map<string, DecisionTree>()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}
