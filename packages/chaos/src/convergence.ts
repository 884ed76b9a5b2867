// Convergence after heal: a verdict over one observed snapshot of the cluster. Every manager's
// store must be the same (one digest at one index), every node Ready, every replicated service at
// its desired replica count, no task still running on a drained or Down node, and — when the
// services workload ran — each service in the state its last acknowledged operation asked for.

import type { CheckResult } from './types.js';

/** What the runner observed once the recovery time was up. Field names follow the Docker API. */
export interface ConvergenceSnapshot {
  /** Each manager's applied store index and a digest of its store there (or why it could not say). */
  managers: { name: string; appliedIndex?: number; digest?: string; error?: string }[];
  /** status: ready | down | unknown | disconnected; availability: active | pause | drain. */
  nodes: { name: string; id: string; status: string; availability: string }[];
  /** replicas: the spec's count (undefined for a global service); running: tasks running now. */
  services: { name: string; replicas?: number; generation?: number; running: number }[];
  /** node: the task's node by name (or id); state: the task's observed state. */
  tasks: { id: string; node: string; state: string; service?: string }[];
  /** Set when the cluster could not be observed at all (no leader, API unreachable). */
  error?: string;
}

/** The state the services workload's last acknowledged operation asked for; no replicas: removed. */
export interface ExpectedServiceState {
  name: string;
  replicas?: number;
  generation?: number;
}

export interface ConvergenceDifference {
  check: 'observe' | 'store' | 'node' | 'replicas' | 'placement' | 'desired-state';
  subject: string;
  expected: string;
  found: string;
}

function storeDifferences(managers: ConvergenceSnapshot['managers']): ConvergenceDifference[] {
  const out: ConvergenceDifference[] = [];
  const readable = managers.filter((m) => {
    if (m.error !== undefined || m.appliedIndex === undefined || m.digest === undefined) {
      out.push({ check: 'store', subject: `manager ${m.name}`, expected: 'its store index and digest', found: m.error ?? 'no store position reported' });
      return false;
    }
    return true;
  });
  if (readable.length < 2) return out;
  // The reference is the most common (index, digest): the majority's view of the store.
  const tally = new Map<string, { index: number; digest: string; names: string[] }>();
  for (const m of readable) {
    const key = `${m.appliedIndex} ${m.digest}`;
    const t = tally.get(key) ?? { index: m.appliedIndex!, digest: m.digest!, names: [] };
    t.names.push(m.name);
    tally.set(key, t);
  }
  const reference = [...tally.values()].sort((x, y) => y.names.length - x.names.length || y.index - x.index)[0];
  const refText = `index ${reference.index} digest ${reference.digest} (as ${reference.names.join(', ')})`;
  for (const m of readable) {
    if (m.appliedIndex === reference.index && m.digest === reference.digest) continue;
    const what = m.appliedIndex === reference.index ? 'a different store at the same index' : `index ${m.appliedIndex}`;
    out.push({ check: 'store', subject: `manager ${m.name}`, expected: refText, found: `${what}: digest ${m.digest}` });
  }
  return out;
}

export function checkConvergence(snapshot: ConvergenceSnapshot, expected: ExpectedServiceState[] = [], skipped: string[] = []): CheckResult {
  const diffs: ConvergenceDifference[] = [];
  if (snapshot.error !== undefined) diffs.push({ check: 'observe', subject: 'cluster', expected: 'a leader answering the API', found: snapshot.error });
  diffs.push(...storeDifferences(snapshot.managers));

  const nodeByName = new Map<string, ConvergenceSnapshot['nodes'][number]>();
  for (const n of snapshot.nodes) {
    nodeByName.set(n.name, n);
    nodeByName.set(n.id, n);
    if (n.status.toLowerCase() !== 'ready') diffs.push({ check: 'node', subject: `node ${n.name}`, expected: 'ready', found: n.status });
  }

  for (const s of snapshot.services) {
    if (s.replicas !== undefined && s.running !== s.replicas) {
      diffs.push({ check: 'replicas', subject: `service ${s.name}`, expected: `${s.replicas} running`, found: `${s.running} running` });
    }
  }

  for (const t of snapshot.tasks) {
    if (t.state.toLowerCase() !== 'running') continue;
    const n = nodeByName.get(t.node);
    const where = `task ${t.id}${t.service ? ` of ${t.service}` : ''}`;
    if (!n) diffs.push({ check: 'placement', subject: where, expected: 'a node of the cluster', found: `running on unknown node "${t.node}"` });
    else if (n.availability.toLowerCase() === 'drain') diffs.push({ check: 'placement', subject: where, expected: 'no task on a drained node', found: `running on ${n.name} (drain)` });
    else if (n.status.toLowerCase() === 'down') diffs.push({ check: 'placement', subject: where, expected: 'no task on a Down node', found: `running on ${n.name} (down)` });
  }

  const serviceByName = new Map(snapshot.services.map((s) => [s.name, s]));
  for (const e of expected) {
    const s = serviceByName.get(e.name);
    if (e.replicas === undefined) {
      if (s) diffs.push({ check: 'desired-state', subject: `service ${e.name}`, expected: 'removed (its last acknowledged operation)', found: 'still exists' });
      continue;
    }
    const want = `${e.replicas} replicas${e.generation !== undefined ? `, generation ${e.generation}` : ''}`;
    if (!s) diffs.push({ check: 'desired-state', subject: `service ${e.name}`, expected: want, found: 'missing' });
    else if (s.replicas !== e.replicas || (e.generation !== undefined && s.generation !== e.generation)) {
      diffs.push({ check: 'desired-state', subject: `service ${e.name}`, expected: want, found: `${s.replicas ?? 'global'} replicas, generation ${s.generation ?? '?'}` });
    }
  }

  const stats = {
    managers: snapshot.managers.length,
    nodes: snapshot.nodes.length,
    services: snapshot.services.length,
    tasks: snapshot.tasks.length,
    expectedServices: expected.length,
    skippedServices: skipped.length,
    differences: diffs.length,
  };
  const notJudged = skipped.length ? `; ${skipped.length} service(s) with indeterminate or overlapping operations not judged` : '';
  if (diffs.length === 0) {
    return {
      name: 'convergence',
      verdict: 'valid',
      summary: `converged: ${snapshot.managers.length} managers on one store, ${snapshot.nodes.length} nodes ready, ${snapshot.services.length} services at their desired state${notJudged}`,
      stats,
    };
  }
  const first = diffs[0];
  return {
    name: 'convergence',
    verdict: 'invalid',
    summary: `not converged: ${diffs.length} difference(s), first ${first.subject}: expected ${first.expected}, found ${first.found}${notJudged}`,
    evidence: { differences: diffs, skipped },
    stats,
  };
}
