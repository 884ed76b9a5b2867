// The supervisor's verbs: checks a call's arguments and the nodes' states first, so a bad call
// fails with a clear message and changes nothing, then runs the Lab verb.

import type { Lab } from './lab.js';
import type { LinkShape } from './faults.js';
import { liveNodes } from './supervisor-nodes.js';
import type { SupervisorMethod } from './supervisor-protocol.js';

/** A bad call (wrong argument, unknown node, node in the wrong state): nothing was changed. */
export class CallError extends Error {}

/** Verbs that change the cluster: the supervisor runs them one at a time. */
export const MUTATING = new Set<SupervisorMethod>([
  'kill', 'stop', 'start', 'restart', 'pause', 'resume', 'partition', 'isolate', 'partitionHalves',
  'partitionMajoritiesRing', 'partitionBridge', 'cutApi', 'block', 'link', 'heal', 'clock', 'add',
]);

const PROCESS_VERBS = new Set(['kill', 'stop', 'start', 'restart', 'pause', 'resume']);

export async function dispatch(lab: Lab, method: SupervisorMethod, args: unknown[]): Promise<unknown> {
  if (PROCESS_VERBS.has(method)) {
    const names = await resolveTargets(lab, targetsArg(args[0]));
    if (method === 'pause') requireState(lab, names, 'running', 'pause');
    if (method === 'resume') requireState(lab, names, 'paused', 'resume');
    const verb = method as 'kill' | 'stop' | 'start' | 'restart' | 'pause' | 'resume';
    return lab[verb](names.join(','));
  }
  switch (method) {
    case 'partition': {
      const groups = groupsArg(args);
      const resolved = await Promise.all(groups.map((g) => resolveTargets(lab, g)));
      await lab.partition(...resolved);
      return resolved;
    }
    case 'isolate': {
      const names = await resolveTargets(lab, targetsArg(args[0]));
      await lab.isolate(names.join(','));
      return names;
    }
    case 'partitionHalves':
      return lab.partitionHalves();
    case 'partitionMajoritiesRing':
      return lab.partitionMajoritiesRing();
    case 'partitionBridge':
      return lab.partitionBridge();
    case 'cutApi': {
      const names = await resolveTargets(lab, targetsArg(args[0]));
      await lab.cutApi(names.join(','));
      return names;
    }
    case 'block': {
      const [a, b] = await twoNodes(lab, args[0], args[1], 'block');
      await lab.block(a, b, args[2] === true);
      return [a, b];
    }
    case 'link': {
      const [a, b] = await twoNodes(lab, args[0], args[1], 'shape a link between');
      await lab.link(a, b, shapeArg(args[2]), args[3] === true);
      return [a, b];
    }
    case 'heal':
      return lab.heal();
    case 'clock': {
      const names = await resolveTargets(lab, targetsArg(args[0]));
      const offsetMs = args[1];
      if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs)) throw new CallError('the clock offset must be a number of milliseconds');
      requireState(lab, names, 'running', 'move the clock of');
      await lab.clock(names.join(','), offsetMs);
      return names;
    }
    case 'leader':
      return (await lab.leader()) ?? null;
    case 'list':
      return lab.list();
    case 'resolve':
      return resolveTargets(lab, targetsArg(args[0]));
    case 'status':
    case 'nicStats': {
      const [name] = await resolveTargets(lab, [stringArg(args[0], 'node')]);
      requireState(lab, [name], 'running', 'ask');
      return method === 'status' ? lab.status(name) : lab.nicStats(name);
    }
    case 'allReady':
      return lab.allReady();
    case 'notReady':
      return (await lab.notReady()) ?? null;
    case 'pids':
      return lab.pids();
    case 'add': {
      const counts = (args[0] ?? {}) as { managers?: unknown; workers?: unknown };
      const managers = counts.managers ?? 0;
      const workers = counts.workers ?? 0;
      if (typeof managers !== 'number' || typeof workers !== 'number') throw new CallError('add takes {managers: N, workers: M}');
      if (!Number.isInteger(managers) || !Number.isInteger(workers) || managers < 0 || workers < 0 || managers + workers === 0) {
        throw new CallError('add needs whole numbers of nodes: --managers N and/or --workers M, at least one node');
      }
      return lab.add({ managers, workers });
    }
    case 'nodes':
      return liveNodes(lab);
    default:
      throw new CallError(`unknown method "${method}"`);
  }
}

function stringArg(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new CallError(`expected a ${what} name`);
  return v.trim();
}

/** A target, a comma list, or an array of them. */
function targetsArg(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new CallError('give at least one node or target (a name, leader, managers, workers, minority, majority, random)');
  return list.flatMap((t) => stringArg(t, 'node').split(',').map((x) => x.trim()).filter((x) => x !== ''));
}

function groupsArg(args: unknown[]): string[][] {
  if (args.length === 0) throw new CallError('partition needs at least one group of nodes');
  return args.map((g) => targetsArg(g));
}

/** Every node the targets name, in cluster order, each once. Throws before anything changes. */
export async function resolveTargets(lab: Lab, targets: string[]): Promise<string[]> {
  const picked = new Set<string>();
  for (const t of targets) {
    try {
      for (const name of await lab.resolve(t)) picked.add(name);
    } catch (e) {
      throw new CallError((e as Error).message);
    }
  }
  if (picked.size === 0) throw new CallError(`no node matches ${targets.join(', ')}`);
  return [...lab.nodes.keys()].filter((n) => picked.has(n));
}

async function twoNodes(lab: Lab, a: unknown, b: unknown, what: string): Promise<[string, string]> {
  const one = async (v: unknown) => {
    const names = await resolveTargets(lab, [stringArg(v, 'node')]);
    if (names.length !== 1) throw new CallError(`"${String(v)}" names ${names.length} nodes; ${what} needs exactly one on each side`);
    return names[0];
  };
  const x = await one(a);
  const y = await one(b);
  if (x === y) throw new CallError(`cannot ${what} ${x} and itself`);
  return [x, y];
}

function shapeArg(v: unknown): LinkShape {
  const s = (v ?? {}) as Record<string, unknown>;
  const shape: LinkShape = {};
  const field = (key: keyof LinkShape, ok: (n: number) => boolean, rule: string) => {
    const n = s[key];
    if (n === undefined) return;
    if (typeof n !== 'number' || !Number.isFinite(n) || !ok(n)) throw new CallError(`link ${key} must be ${rule} (got ${String(n)})`);
    shape[key] = n;
  };
  field('delayMs', (n) => n >= 0, 'a number of milliseconds, 0 or more');
  field('jitterMs', (n) => n >= 0, 'a number of milliseconds, 0 or more');
  field('loss', (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1');
  field('rateBytesPerSec', (n) => n > 0, 'a positive number of bytes per second');
  if (Object.keys(shape).length === 0) throw new CallError('a link needs at least one of delay, jitter, loss or rate');
  return shape;
}

function requireState(lab: Lab, names: string[], state: 'running' | 'paused', verb: string): void {
  const wrong = names.filter((n) => lab.node(n).state !== state);
  if (wrong.length > 0) {
    throw new CallError(`cannot ${verb} ${wrong.map((n) => `${n} (${lab.node(n).state})`).join(', ')}: ${wrong.length === 1 ? 'it is' : 'they are'} not ${state}`);
  }
}
