// The services workload: create, scale, update and remove services, create secrets, create and
// remove overlay networks, through the Docker API of random managers. It remembers what was
// acknowledged so the convergence check can ask, after healing, that the cluster runs exactly
// the last acknowledged desired state of every service.

import { randomBytes } from 'node:crypto';
import type { Service } from '@swarmlab/api';
import type { HistoryOp } from '../types.js';
import { errorText, failureType } from './outcome.js';
import type { HistoryRecorder } from './recorder.js';
import type { RegisterClient } from './register.js';
import type { Prng } from '../prng.js';

const SERVICES = 6;
const serviceName = (i: number) => `chaos-svc-${i}`;

function spec(name: string, replicas: number, generation: number) {
  return {
    Name: name,
    Labels: { 'swarmlab.chaos': 'services' },
    TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'], Env: [`GENERATION=${generation}`] } },
    Mode: { Replicated: { Replicas: replicas } },
  };
}

/** One operation; secret values it creates are appended to `secrets` (for the at-rest scan, never logged). */
export async function servicesOperation(
  rec: HistoryRecorder,
  c: RegisterClient,
  rng: Prng,
  secrets: { name: string; value: Buffer }[],
): Promise<'ok' | 'fail' | 'info'> {
  const roll = rng.next();
  const name = serviceName(rng.int(SERVICES));
  const base = { process: c.process, node: c.node };
  const attempt = async (f: string, value: unknown, run: () => Promise<void>) => {
    rec.record({ ...base, f, type: 'invoke', value });
    try {
      await run();
      rec.record({ ...base, f, type: 'ok', value });
      return 'ok' as const;
    } catch (e) {
      const type = failureType(e, false);
      rec.record({ ...base, f, type, value, error: errorText(e) });
      return type;
    }
  };
  if (roll < 0.3) {
    const replicas = 1 + rng.int(3);
    return attempt('create', { name, replicas }, async () => void (await c.api.serviceCreate(spec(name, replicas, 0))));
  }
  if (roll < 0.8) {
    const scale = roll < 0.6;
    const replicas = rng.int(4);
    const generation = rng.int(1000);
    const f = scale ? 'scale' : 'update';
    let current: Service;
    rec.record({ ...base, f, type: 'invoke', value: { name, replicas, generation } });
    try {
      current = await c.api.serviceInspect(name);
    } catch (e) {
      rec.record({ ...base, f, type: 'fail', value: { name, replicas, generation }, error: errorText(e) });
      return 'fail';
    }
    // Scale keeps the image generation; update keeps the replica count.
    const keptReplicas = current.Spec.Mode?.Replicated?.Replicas ?? 1;
    const keptGeneration = Number(current.Spec.TaskTemplate.ContainerSpec?.Env?.[0]?.split('=')[1] ?? 0);
    const value = { name, replicas: scale ? replicas : keptReplicas, generation: scale ? keptGeneration : generation };
    try {
      await c.api.serviceUpdate(current.ID, current.Version.Index, spec(name, value.replicas, value.generation));
      rec.record({ ...base, f, type: 'ok', value });
      return 'ok';
    } catch (e) {
      const type = failureType(e, false);
      rec.record({ ...base, f, type, value, error: errorText(e) });
      return type;
    }
  }
  if (roll < 0.88) return attempt('remove', { name }, () => c.api.serviceRemove(name));
  if (roll < 0.94) {
    // Overlay networks come and go too (the allocator hands out and takes back their subnets).
    const network = `chaos-net-${rng.int(4)}`;
    if (rng.next() < 0.5) return attempt('network-create', { network }, async () => void (await c.api.networkCreate({ Name: network, Driver: 'overlay' })));
    return attempt('network-remove', { network }, () => c.api.networkRemove(network));
  }
  const secret = `chaos-secret-${rng.int(1_000_000)}`;
  const value = Buffer.from(randomBytes(24).toString('hex'));
  secrets.push({ name: secret, value });
  return attempt('secret-create', { name: secret }, async () => void (await c.api.secretCreate({ Name: secret, Data: value.toString('base64') })));
}

export interface ExpectedService {
  name: string;
  /** undefined: the service must not exist. */
  replicas?: number;
  generation?: number;
}

/**
 * The states each service may end in, the first being the effect of its last acknowledged
 * operation. An indeterminate operation may take effect at any time after it began (even after
 * that last acknowledged one), and acknowledged operations that overlapped it in time may have
 * been applied in either order, so their effects are allowed too.
 */
export function allowedServiceStates(history: HistoryOp[]): Map<string, ExpectedService[]> {
  const ops = new Map<string, { f: string; type: string; call: number; ret: number; value: any }[]>();
  const open = new Map<number, HistoryOp>();
  for (const op of history) {
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    const name = (op.value as { name?: string } | null)?.name;
    if (!inv || !name || !name.startsWith('chaos-svc-')) continue;
    const list = ops.get(name) ?? [];
    list.push({ f: op.f, type: op.type, call: inv.time, ret: op.time, value: op.value });
    ops.set(name, list);
  }
  const effect = (o: { f: string; value: any }, name: string): ExpectedService =>
    o.f === 'remove' ? { name } : { name, replicas: o.value.replicas, generation: o.value.generation ?? 0 };
  const allowed = new Map<string, ExpectedService[]>();
  for (const [name, list] of ops) {
    const oks = list.filter((o) => o.type === 'ok').sort((a, b) => a.ret - b.ret);
    const last = oks.at(-1);
    // Nothing acknowledged: the service never existed (every create here is this workload's).
    const states = [last ? effect(last, name) : { name }];
    for (const o of list) {
      if (o === last || o.type === 'fail') continue;
      if (o.type === 'info' || (last && o.ret > last.call)) states.push(effect(o, name));
    }
    allowed.set(name, states);
  }
  return allowed;
}

const sameState = (a: ExpectedService, b: { replicas?: number; generation?: number } | undefined) =>
  b === undefined ? a.replicas === undefined : a.replicas === b.replicas && (a.generation ?? 0) === (b.generation ?? 0);

/**
 * The desired state the cluster must converge to, per service: the allowed state the cluster
 * shows when it shows one, else the last acknowledged one (so the check reports the difference).
 */
export function expectedServices(
  history: HistoryOp[],
  observed: { name: string; replicas?: number; generation?: number }[] = [],
): ExpectedService[] {
  const seen = new Map(observed.map((s) => [s.name, s]));
  return [...allowedServiceStates(history)].map(([name, states]) => states.find((st) => sameState(st, seen.get(name))) ?? states[0]);
}
