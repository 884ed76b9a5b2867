// The data a chaos run records and its checkers read. Operation records follow Jepsen's history
// format (process, type, f, value, time) so people who know Jepsen can read our files.

/** One line of history.jsonl. An operation is an `invoke` followed by exactly one completion
 * from the same process: `ok` (took effect), `fail` (certainly did not), `info` (unknown: timeout,
 * connection error — it may take effect at any point after its invoke, or never). */
export interface HistoryOp {
  /** The client (Jepsen "process"); one outstanding operation per process at a time. */
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  /** Register workload: 'read' | 'write' | 'cas'. Services workload: 'create' | 'scale' | ... */
  f: string;
  /** Register workload: [key, v] for read/write ([key, null] on a read's invoke), [key, [from, to]] for cas. */
  value: unknown;
  /** Nanoseconds since the run started (Jepsen's :time). */
  time: number;
  /** The manager the request went to, and the error text for fail/info. */
  node?: string;
  error?: string;
  /** Position in the file, filled when reading; not written. */
  index?: number;
}

/** Register workload values. A key names one CAS register (one service's label). */
export type RegisterKey = string;
export type RegisterValue = number | null;

export type NemesisKind = 'partition' | 'kill' | 'pause' | 'clock' | 'link' | 'membership';

/** Which nodes a fault hits, resolved against the cluster at the moment it starts. */
export type FaultTarget = 'one' | 'minority' | 'majority' | 'leader' | 'all' | 'primaries' | string[];

/** One fault in schedule.json: starts at `at` ms after the run began, healed `duration` ms later. */
export interface Fault {
  at: number;
  duration: number;
  kind: NemesisKind;
  /** kill | pause | restart (kind kill/pause); isolate | halves | majorities-ring | bridge | one-way
   * (kind partition); bump (clock); delay | loss (link); promote | demote (membership). */
  action: string;
  target: FaultTarget;
  /** Action parameters: clock offset ms, link delay/jitter ms, loss percent. */
  params?: Record<string, number>;
  /** Filled when it ran: the node names it actually hit, and anything observed. */
  applied?: { nodes: string[]; at: number; healedAt?: number; note?: string };
}

export interface Schedule {
  seed: number;
  /** Run length in ms (workload time, before the final heal and recovery). */
  time: number;
  interval: number;
  nemesis: NemesisKind[];
  managers: number;
  workers: number;
  workload: 'register' | 'services' | 'mixed';
  concurrency: number;
  faults: Fault[];
  /** Set when kill/pause faults were allowed to take a majority of managers down (briefly). */
  quorumLoss?: boolean;
}

export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface CheckResult {
  name: 'linearizability' | 'raft-safety' | 'convergence' | 'at-rest' | string;
  verdict: Verdict;
  /** One line for the summary. */
  summary: string;
  /** The smallest evidence that explains an invalid/unknown verdict (checker-specific shape). */
  evidence?: unknown;
  /** How long the check took and what it spent (steps, memory) — for the report and benchmarks. */
  stats?: Record<string, number>;
}

export interface Results {
  seed: number;
  valid: Verdict;
  checks: CheckResult[];
  startedAt: string;
  durationMs: number;
}

/** A line of the launcher's events.jsonl that the checkers and report read. */
export interface LabEventLine {
  time: string;
  kind: 'fault' | 'heal' | 'observed' | 'process' | string;
  node?: string;
  /** observed: 'leader' with isLeader/term/lead, or a status key change. */
  event?: string;
  isLeader?: boolean;
  term?: number;
  [k: string]: unknown;
}

/** An invoke paired with its completion (history.ts `pairOperations`): what checkers reason about. */
export interface Operation {
  process: number;
  f: string;
  /** Register workload: the key (value[0]); null when the value is not `[key, x]`. */
  key: RegisterKey | null;
  /** The invoke's value (value[1] for keyed values), and the completion's (undefined when none). */
  input: unknown;
  output: unknown;
  /** Invoke and completion times (ns); `ret` is +Infinity for an indeterminate operation. */
  call: number;
  ret: number;
  status: 'ok' | 'fail' | 'info';
  /** Positions of the two lines in the history; completeIndex is null when the history ended first. */
  invokeIndex: number;
  completeIndex: number | null;
  node?: string;
  error?: string;
}
