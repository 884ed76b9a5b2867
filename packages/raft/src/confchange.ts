// Membership changes (etcd-io/raft confchange.Changer): one voter at a time, or any set of
// changes through a joint configuration (Raft thesis §4.3), entered and left by log entries.

import { RaftError } from './errors.js';
import { Progress } from './progress.js';
import { cloneTrackerConfig, emptyTrackerConfig, type TrackerConfig } from './tracker.js';
import type { ConfChange, ConfChangeSingle, ConfState, NodeId } from './types.js';

export interface ChangeResult {
  config: TrackerConfig;
  progress: Map<NodeId, Progress>;
}

const invalid = (msg: string) => new RaftError('InvalidConfChange', `raft: ${msg}`);

export class Changer {
  constructor(
    private readonly base: TrackerConfig,
    private readonly baseProgress: Map<NodeId, Progress>,
    private readonly lastIndex: number,
    private readonly maxInflight: number,
  ) {}

  /** Applies a ConfChange as it appears in the log; throws InvalidConfChange for a bad one. */
  apply(cc: ConfChange): ChangeResult {
    if (cc.changes.length === 0) return this.leaveJoint();
    const transition = cc.transition ?? 'auto';
    if (transition === 'auto' && cc.changes.length === 1) return this.simple(cc.changes);
    return this.enterJoint(transition !== 'explicit', cc.changes);
  }

  enterJoint(autoLeave: boolean, changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (config.voters[1].size > 0) throw invalid('config is already joint');
    if (config.voters[0].size === 0) throw invalid("can't make a zero-voter config joint");
    config.voters[1] = new Set(config.voters[0]);
    this.applyChanges(config, progress, changes);
    config.autoLeave = autoLeave;
    return { config, progress };
  }

  leaveJoint(): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (config.voters[1].size === 0) throw invalid(`can't leave a non-joint config`);
    for (const id of config.learnersNext) {
      config.learners.add(id);
      const pr = progress.get(id);
      if (pr) pr.isLearner = true;
    }
    config.learnersNext.clear();
    for (const id of config.voters[1]) {
      if (!config.voters[0].has(id) && !config.learners.has(id)) progress.delete(id);
    }
    config.voters[1] = new Set();
    config.autoLeave = false;
    return { config, progress };
  }

  simple(changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (config.voters[1].size > 0) throw invalid("can't apply simple config change in joint config");
    this.applyChanges(config, progress, changes);
    let changed = 0;
    for (const id of config.voters[0]) if (!this.base.voters[0].has(id)) changed++;
    for (const id of this.base.voters[0]) if (!config.voters[0].has(id)) changed++;
    if (changed > 1) throw invalid('more than one voter changed without entering joint config');
    return { config, progress };
  }

  private applyChanges(config: TrackerConfig, progress: Map<NodeId, Progress>, changes: ConfChangeSingle[]): void {
    for (const cc of changes) {
      if (!cc || typeof cc.nodeId !== 'number' || cc.nodeId === 0) continue;
      if (cc.type === 'addNode') this.makeVoter(config, progress, cc.nodeId);
      else if (cc.type === 'addLearner') this.makeLearner(config, progress, cc.nodeId);
      else if (cc.type === 'removeNode') this.remove(config, progress, cc.nodeId);
      else throw invalid(`unknown conf change type ${String((cc as ConfChangeSingle).type)}`);
    }
    if (config.voters[0].size === 0) throw invalid('removed all voters');
  }

  private makeVoter(config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
    let pr = progress.get(id);
    if (!pr) {
      pr = this.initProgress(progress, id, false);
    }
    pr.isLearner = false;
    config.learners.delete(id);
    config.learnersNext.delete(id);
    config.voters[0].add(id);
  }

  private makeLearner(config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
    const pr = progress.get(id);
    if (!pr) {
      this.initProgress(progress, id, true);
      config.learners.add(id);
      return;
    }
    if (pr.isLearner) return;
    // Demote: drop from the voters but keep the progress.
    this.remove(config, progress, id);
    progress.set(id, pr);
    // A voter of the outgoing config becomes a learner only once the joint config is left.
    if (config.voters[1].has(id)) {
      config.learnersNext.add(id);
    } else {
      pr.isLearner = true;
      config.learners.add(id);
    }
  }

  private remove(config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
    if (!progress.has(id)) return;
    config.voters[0].delete(id);
    config.learners.delete(id);
    config.learnersNext.delete(id);
    if (!config.voters[1].has(id)) progress.delete(id);
  }

  private initProgress(progress: Map<NodeId, Progress>, id: NodeId, isLearner: boolean): Progress {
    // Start probing at the last index: the follower may be new and hold nothing.
    const pr = new Progress(Math.max(this.lastIndex, 1), this.maxInflight, isLearner);
    progress.set(id, pr);
    return pr;
  }

  private checkAndCopy(): ChangeResult {
    const config = cloneTrackerConfig(this.base);
    // Progress objects are shared with the old map on purpose: a changed config keeps each
    // surviving member's replication state.
    const progress = new Map(this.baseProgress);
    return { config, progress };
  }
}

/** Rebuilds a configuration from a ConfState (restart, snapshot). */
export function restoreConfig(cs: ConfState, lastIndex: number, maxInflight: number): ChangeResult {
  const config = emptyTrackerConfig();
  const progress = new Map<NodeId, Progress>();
  const add = (id: NodeId, isLearner: boolean) => {
    if (!progress.has(id)) progress.set(id, new Progress(lastIndex + 1, maxInflight, isLearner));
  };
  for (const id of cs.voters) {
    config.voters[0].add(id);
    add(id, false);
  }
  for (const id of cs.votersOutgoing) {
    config.voters[1].add(id);
    add(id, false);
  }
  for (const id of cs.learners) {
    config.learners.add(id);
    add(id, true);
  }
  for (const id of cs.learnersNext) config.learnersNext.add(id);
  config.autoLeave = cs.autoLeave && cs.votersOutgoing.length > 0;
  return { config, progress };
}
