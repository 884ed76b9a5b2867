// The filter pipeline (SwarmKit manager/scheduler/pipeline.go). It counts, per filter, the nodes
// rejected since the last node that passed; those counts make the "no suitable node (…)" text.

import {
  ConstraintFilter,
  HostPortFilter,
  MaxReplicasFilter,
  PlatformFilter,
  PluginFilter,
  ReadyFilter,
  ResourceFilter,
  type Filter,
  type TaskToPlace,
} from './filters.js';
import type { NodeInfo } from './node-info.js';

interface ChecklistEntry {
  filter: Filter;
  enabled: boolean;
  failures: number;
}

export class Pipeline {
  private readonly checklist: ChecklistEntry[];

  constructor() {
    // Readiness first, then the order SwarmKit's defaultFilters use.
    const filters: Filter[] = [
      new ReadyFilter(),
      new ResourceFilter(),
      new PluginFilter(),
      new ConstraintFilter(),
      new PlatformFilter(),
      new HostPortFilter(),
      new MaxReplicasFilter(),
    ];
    this.checklist = filters.map((filter) => ({ filter, enabled: false, failures: 0 }));
  }

  setTask(t: TaskToPlace): void {
    for (const entry of this.checklist) {
      entry.enabled = entry.filter.setTask(t);
      entry.failures = 0;
    }
  }

  /** True when every enabled filter accepts the node; stops at the first that does not. */
  process(n: NodeInfo): boolean {
    for (const entry of this.checklist) {
      if (entry.enabled && !entry.filter.check(n)) {
        entry.failures++;
        return false;
      }
    }
    for (const entry of this.checklist) entry.failures = 0;
    return true;
  }

  /** "2 nodes not available for new tasks; insufficient resources on 1 node": most failures first. */
  explain(): string {
    return this.checklist
      .filter((e) => e.failures > 0)
      .map((e, index) => ({ e, index }))
      // Stable: filters with equal counts keep the pipeline's order, as Go's insertion sort does.
      .sort((a, b) => b.e.failures - a.e.failures || a.index - b.index)
      .map(({ e }) => e.filter.explain(e.failures))
      .join('; ');
  }
}
