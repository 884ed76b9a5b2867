// Plays faults from a schedule against a Lab: resolves each fault's target against the cluster as
// it is at that moment (who leads, who is a manager now), applies it through the launcher's
// verbs, and returns how to heal it. Jepsen's nemesis, over real processes.

import type { Lab } from '@swarmlab/launcher';
import type { Fault, FaultTarget } from '../types.js';
import type { Prng } from '../prng.js';

export interface ClusterView {
  lab: Lab;
  /** Current managers and workers by name (membership faults move nodes between them). */
  managers: Set<string>;
  workers: Set<string>;
  rng: Prng;
}

export type Heal = () => Promise<void>;

function shuffled<T>(xs: T[], rng: Prng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export async function resolveTarget(c: ClusterView, target: FaultTarget): Promise<string[]> {
  const managers = [...c.managers].sort();
  if (Array.isArray(target)) return target.filter((n) => c.managers.has(n) || c.workers.has(n));
  switch (target) {
    case 'leader':
    case 'primaries': {
      const leader = await c.lab.leader();
      return leader ? [leader] : [c.rng.pick(managers)];
    }
    case 'one':
      return [c.rng.pick(managers)];
    case 'minority':
      return shuffled(managers, c.rng).slice(0, Math.floor((managers.length - 1) / 2));
    case 'majority':
      return shuffled(managers, c.rng).slice(0, Math.floor(managers.length / 2) + 1);
    case 'all':
      return managers;
    default:
      throw new Error(`unknown fault target "${String(target)}"`);
  }
}

const noHeal: Heal = async () => undefined;

/** Applies one fault; returns the nodes it hit and the action that undoes it. */
export async function applyFault(c: ClusterView, fault: Fault): Promise<{ nodes: string[]; heal: Heal; note?: string }> {
  const { lab } = c;
  const running = (names: string[]) => names.filter((n) => lab.node(n).state === 'running');
  switch (fault.kind) {
    case 'kill': {
      const nodes = running(await resolveTarget(c, fault.target));
      if (nodes.length === 0) return { nodes, heal: noHeal, note: 'no running target' };
      const list = nodes.join(',');
      if (fault.action === 'restart') {
        await lab.restart(list);
        return { nodes, heal: noHeal };
      }
      await lab.kill(list);
      return { nodes, heal: async () => void (await lab.start(list)) };
    }
    case 'pause': {
      const nodes = running(await resolveTarget(c, fault.target));
      if (nodes.length === 0) return { nodes, heal: noHeal, note: 'no running target' };
      const list = nodes.join(',');
      await lab.pause(list);
      return { nodes, heal: async () => void (await lab.resume(list)) };
    }
    case 'partition':
      return partition(c, fault);
    case 'clock': {
      const nodes = running(await resolveTarget(c, fault.target));
      const offset = fault.params?.offsetMs ?? 10_000;
      for (const n of nodes) await lab.clock(n, offset);
      return { nodes, heal: async () => void (await Promise.all(nodes.map((n) => lab.clock(n, 0).catch(() => undefined)))) };
    }
    case 'link': {
      const nodes = await resolveTarget(c, fault.target);
      const others = [...c.managers, ...c.workers].filter((n) => !nodes.includes(n));
      const shape =
        fault.action === 'loss'
          ? { loss: (fault.params?.lossPercent ?? 10) / 100 }
          : { delayMs: fault.params?.delayMs ?? 100, jitterMs: fault.params?.jitterMs ?? 0 };
      for (const a of nodes) for (const b of others) await lab.link(a, b, shape);
      return { nodes, heal: () => lab.heal() };
    }
    case 'membership':
      return membership(c, fault);
    default:
      throw new Error(`unknown fault kind "${String(fault.kind)}"`);
  }
}

async function partition(c: ClusterView, fault: Fault): Promise<{ nodes: string[]; heal: Heal; note?: string }> {
  const { lab } = c;
  const heal = () => lab.heal();
  switch (fault.action) {
    case 'isolate': {
      const nodes = await resolveTarget(c, fault.target);
      await lab.isolate(nodes.join(','));
      return { nodes, heal };
    }
    case 'halves': {
      const groups = await lab.partitionHalves();
      return { nodes: groups[0], heal, note: groups.map((g) => g.join(',')).join(' | ') };
    }
    case 'majorities-ring':
      await lab.partitionMajoritiesRing();
      return { nodes: [...c.managers, ...c.workers], heal };
    case 'bridge':
      await lab.partitionBridge();
      return { nodes: [...c.managers, ...c.workers], heal };
    case 'one-way': {
      const nodes = await resolveTarget(c, fault.target);
      for (const from of nodes) for (const to of c.managers) if (to !== from) await lab.block(from, to, true);
      return { nodes, heal, note: 'outbound traffic from the target to every other manager dropped' };
    }
    default:
      throw new Error(`unknown partition action "${fault.action}"`);
  }
}

/** Promotes a worker or demotes a manager through the Docker API (any reachable manager). */
async function membership(c: ClusterView, fault: Fault): Promise<{ nodes: string[]; heal: Heal; note?: string }> {
  const promote = fault.action === 'promote';
  const pool = [...(promote ? c.workers : c.managers)].filter((n) => c.lab.node(n).state === 'running').sort();
  if (pool.length === 0 || (!promote && c.managers.size <= 3)) return { nodes: [], heal: noHeal, note: `nothing to ${fault.action}` };
  const node = c.rng.pick(pool);
  let lastError: unknown;
  for (const via of [...c.managers].sort()) {
    if (c.lab.node(via).state !== 'running') continue;
    try {
      const api = c.lab.client(via, 5_000);
      const n = await api.nodeInspect(node);
      await api.nodeUpdate(n.ID, n.Version.Index, { ...n.Spec, Role: promote ? 'manager' : 'worker' });
      (promote ? c.workers : c.managers).delete(node);
      (promote ? c.managers : c.workers).add(node);
      return { nodes: [node], heal: noHeal };
    } catch (e) {
      lastError = e;
    }
  }
  return { nodes: [node], heal: noHeal, note: `${fault.action} failed: ${lastError instanceof Error ? lastError.message : String(lastError)}` };
}
