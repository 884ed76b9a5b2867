// swarmlab kill|stop|start|restart|pause|resume TARGET…: process faults by signal. Targets are
// node names or aliases, or leader, managers, workers, minority, majority, random.

import { out, printJson, type Context } from '../context.js';
import { asUserError } from '../errors.js';
import { connectRunning } from '../select-cluster.js';

export const PROCESS_VERBS = {
  kill: { done: 'killed', help: 'SIGKILL nodes (a crash)' },
  stop: { done: 'stopped', help: 'stop nodes gracefully (SIGTERM, then SIGKILL after 5 s)' },
  start: { done: 'started', help: 'start stopped nodes again, on their state' },
  restart: { done: 'restarted', help: 'stop nodes gracefully and start them again' },
  pause: { done: 'paused', help: 'freeze nodes (SIGSTOP)' },
  resume: { done: 'resumed', help: 'unfreeze paused nodes (SIGCONT)' },
} as const;

export type ProcessVerb = keyof typeof PROCESS_VERBS;

export async function processFault(ctx: Context, verb: ProcessVerb, targets: string[], flags: { cluster?: string; json?: boolean }): Promise<void> {
  const lab = await connectRunning(ctx, flags.cluster);
  const nodes = await asUserError(() => lab[verb](targets.join(',')));
  if (flags.json) return printJson(ctx, { action: verb, nodes });
  out(ctx, `${PROCESS_VERBS[verb].done} ${nodes.join(', ')}`);
}
