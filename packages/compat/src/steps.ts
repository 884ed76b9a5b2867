// What one step of a side-by-side scenario is: a docker CLI command or an Engine API call, how its
// output is compared, and what the swarm must have reached before it runs.

/**
 * How stdout is compared after normalization:
 * - `text`: line by line;
 * - `table`: a CLI table, cell by cell (column widths differ when IDs or hostnames do);
 * - `json`: the parsed document, key sets recursively and every value;
 * - `none`: not compared (exit code and stderr still are).
 */
export type OutputKind = 'text' | 'table' | 'json' | 'none';

/**
 * Waits before a step until the swarm shows a state, on each daemon separately; what was reached
 * (or the timeout with what was seen) is compared too.
 * - `running`: exactly this many tasks run, every other task is done, no update is in flight, and
 *   with `update`, the service's UpdateStatus says so (an update just asked for may not have
 *   started yet: without it the old tasks would count);
 * - `pending`: this many tasks wait unscheduled with an error (a constraint no node meets);
 * - `noTasks`: the swarm has no task left (removed services are gone).
 */
export type Settle =
  | { service: string; running: number; update?: 'completed' | 'rollback_completed' }
  | { service: string; pending: number }
  | { noTasks: true };

interface StepBase {
  /** Unique; differences and allowances refer to steps by it. */
  name: string;
  output: OutputKind;
  /** The real daemon refuses this step (an error case); the test checks that it does. */
  fails?: true;
  before?: Settle;
  /** Arrays in the JSON output sorted by these fields (dotted paths) before comparing. */
  sortBy?: string[];
  /** Rewrites the parsed JSON on both sides after sorting, for what the real daemon orders at random. */
  canonical?: (value: unknown) => unknown;
  /** Narrows stdout to the part that is compared (e.g. the Swarm section of `docker info`). */
  select?: (stdout: string) => string;
}

/**
 * A docker CLI command. Arguments may hold placeholders filled per daemon:
 * `{node}` (the node's ID), `{image}`, `{hostPort}`, `{file:NAME}` (a file the runner writes).
 */
export interface CliStep extends StepBase {
  docker: string[];
}

/** A GET whose JSON answer is the step's stdout and whose HTTP status is its exit code. */
export interface ApiGetStep extends StepBase {
  get: string;
}

/**
 * Read an object (`/secrets/NAME`), then POST `<collection>/<ID>/update?version=<Version.Index>`
 * with the changed spec, the way every client updates: the answer is the step's stdout, the
 * HTTP status its exit code.
 */
export interface ApiUpdateStep extends StepBase {
  update: string;
  change: (spec: Record<string, unknown>) => Record<string, unknown>;
}

export type Step = CliStep | ApiGetStep | ApiUpdateStep;

/** Files the runner writes into the target's files directory before the scenario: name → content. */
export type ScenarioFiles = Record<string, string>;

export interface Scenario {
  files: ScenarioFiles;
  steps: Step[];
}
