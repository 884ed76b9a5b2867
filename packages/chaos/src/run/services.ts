// The services workload: create, scale, update and remove services, and create secrets, through
// the Docker API of random managers. It remembers what was acknowledged so the convergence check
// can ask, after healing, that the cluster runs exactly the last acknowledged desired state.

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
  if (roll < 0.92) return attempt('remove', { name }, () => c.api.serviceRemove(name));
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
 * The desired state the cluster must converge to: per service, the effect of the last acknowledged
 * operation. A service touched by an indeterminate operation, or by two acknowledged operations
 * that overlapped in time, has no single expected state and is left out (reported as skipped).
 */
export function expectedServices(history: HistoryOp[]): { expected: ExpectedService[]; skipped: string[] } {
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
  const expected: ExpectedService[] = [];
  const skipped: string[] = [];
  for (const [name, list] of ops) {
    if (list.some((o) => o.type === 'info')) {
      skipped.push(name);
      continue;
    }
    const oks = list.filter((o) => o.type === 'ok').sort((a, b) => a.ret - b.ret);
    const last = oks.at(-1);
    if (!last) {
      // Only failed operations: it never existed (creates that failed) — unless it did before, which cannot happen here.
      expected.push({ name });
      continue;
    }
    if (oks.some((o) => o !== last && o.ret > last.call)) {
      skipped.push(name);
      continue;
    }
    if (last.f === 'remove') expected.push({ name });
    else expected.push({ name, replicas: last.value.replicas, generation: last.value.generation ?? 0 });
  }
  return { expected, skipped };
}
