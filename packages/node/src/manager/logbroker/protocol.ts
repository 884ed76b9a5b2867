// The messages of SwarmKit's log broker, over the agent's session link: the leader asks an agent
// for the logs of some of its tasks (`subscribe`, `cancel`), the agent publishes what it reads.

export interface LogSelector {
  /** Lines since this emulated ms (Docker's --since). */
  since?: number;
  /** The last N lines of each task (undefined: all). */
  tail?: number;
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** Leader → agent, on the agent's `logs` service. */
export type LogSubscriptionMessage =
  | { op: 'subscribe'; id: string; taskIds: string[]; selector: LogSelector }
  | { op: 'cancel'; id: string };

/** One line, with the context `docker service logs` prints. */
export interface LogMessage {
  taskId: string;
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano. */
  time: string;
  line: string;
}

/** Agent → leader, on the manager's `logbroker` service: lines, and `done` once a non-following read ended. */
export interface LogPublication {
  id: string;
  messages: LogMessage[];
  done?: boolean;
}

export function isPublication(x: unknown): x is LogPublication {
  const p = x as LogPublication;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && Array.isArray(p.messages);
}

export function isSubscriptionMessage(x: unknown): x is LogSubscriptionMessage {
  const m = x as LogSubscriptionMessage;
  if (typeof m !== 'object' || m === null || typeof m.id !== 'string') return false;
  if (m.op === 'cancel') return true;
  return m.op === 'subscribe' && Array.isArray(m.taskIds) && typeof m.selector === 'object' && m.selector !== null;
}
