// Spreading a group of identical tasks over the nodes of a decision tree (SwarmKit
// scheduler.go scheduleNTasksOnSubtree / scheduleNTasksOnNodes).

import type { Task } from '@swarmlab/api';
import { branches, orderedNodes, type DecisionTree, type NodeLess } from './decision-tree.js';
import { addTask, type NodeInfo } from './node-info.js';
import type { Pipeline } from './pipeline.js';

export interface PlacementRun {
  pipeline: Pipeline;
  less: NodeLess;
  /** Tasks of the group not placed yet, in placement order; placed ones are taken out. */
  remaining: Task[];
  /** Host ports the group's tasks take on their node. */
  hostPorts: readonly string[];
  /** task ID → node ID, filled as tasks are placed. */
  decisions: Map<string, string>;
}

export function placeOnSubtree(run: PlacementRun, n: number, tree: DecisionTree): number {
  if (!tree.next) {
    const nodes = orderedNodes(tree, (node) => run.pipeline.process(node), run.less);
    if (nodes.length === 0) return 0;
    return placeOnNodes(run, n, nodes);
  }
  // Split the tasks so that the branches end up as even as possible, counting the tasks they
  // already have; a branch that cannot take its share is left out of the next rounds.
  const subtrees = branches(tree);
  let scheduled = 0;
  let inUsableBranches = tree.tasks;
  const noRoom = new Set<DecisionTree>();
  while (scheduled !== n && noRoom.size !== subtrees.length) {
    const live = subtrees.length - noRoom.size;
    const desiredPerBranch = Math.floor((inUsableBranches + n - scheduled) / live);
    let remainder = (inUsableBranches + n - scheduled) % live;
    let progressed = false;
    for (const subtree of subtrees) {
      if (noRoom.has(subtree)) continue;
      const subtreeTasks = subtree.tasks;
      if (subtreeTasks < desiredPerBranch || (subtreeTasks === desiredPerBranch && remainder > 0)) {
        let toAssign = desiredPerBranch - subtreeTasks;
        if (remainder > 0) toAssign++;
        const placed = placeOnSubtree(run, toAssign, subtree);
        if (placed < toAssign) {
          noRoom.add(subtree);
          inUsableBranches -= subtreeTasks;
        } else if (remainder > 0) {
          remainder--;
        }
        scheduled += placed;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return scheduled;
}

function placeOnNodes(run: PlacementRun, n: number, nodes: NodeInfo[]): number {
  let scheduled = 0;
  const failed = new Set<number>();
  let iter = 0;
  const count = nodes.length;
  while (run.remaining.length > 0) {
    const task = run.remaining.shift() as Task;
    const node = nodes[iter % count];
    run.decisions.set(task.ID, node.id);
    addTask(node, { ...task, NodeID: node.id, Status: { ...task.Status, State: 'assigned' } }, run.hostPorts);
    scheduled++;
    if (scheduled === n) return scheduled;

    if (iter + 1 < count) {
      // First pass: fill nodes until they hold as many of the service's tasks as the next one.
      if (run.less(nodes[(iter + 1) % count], node)) iter++;
    } else {
      // Later passes: one task per node in turn.
      iter++;
    }
    const start = iter;
    while (failed.has(iter % count) || !run.pipeline.process(nodes[iter % count])) {
      failed.add(iter % count);
      iter++;
      if (iter - start === count) return scheduled;
    }
  }
  return scheduled;
}
