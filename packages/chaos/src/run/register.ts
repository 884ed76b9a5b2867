// The register workload: one compare-and-set register per service, held in a label of a
// zero-replica service and driven only through the Docker API of random managers. A read is
// `GET /services/{name}`; a write and a CAS read the service and update it with the version they
// read, so the store's optimistic concurrency ("update out of sequence") is the compare.

import type { DockerClient, Service } from '@swarmlab/api';
import type { RegisterValue } from '../types.js';
import { errorText, failureType } from './outcome.js';
import type { HistoryRecorder } from './recorder.js';
import type { Prng } from '../prng.js';

export const REGISTER_LABEL = 'swarmlab.chaos.register';
/** Jepsen's cas-register draws values from a small range so that CAS often succeeds. */
const VALUES = 5;

export function registerKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `chaos-register-${i}`);
}

/** Creates the register services (value null: the label is absent). */
export async function setupRegisters(api: DockerClient, keys: string[]): Promise<void> {
  for (const key of keys) {
    await api.serviceCreate({
      Name: key,
      Labels: { 'swarmlab.chaos': 'register' },
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Args: ['sleep', 'infinity'] } },
      Mode: { Replicated: { Replicas: 0 } },
    });
  }
}

export function registerValue(s: Service): RegisterValue {
  const v = s.Spec.Labels?.[REGISTER_LABEL];
  return v === undefined ? null : Number(v);
}

async function setValue(api: DockerClient, s: Service, value: number): Promise<void> {
  const spec = { ...s.Spec, Labels: { ...(s.Spec.Labels ?? {}), [REGISTER_LABEL]: String(value) } };
  await api.serviceUpdate(s.ID, s.Version.Index, spec);
}

export interface RegisterClient {
  process: number;
  node: string;
  api: DockerClient;
}

/** Runs one operation and records its invoke and completion; returns the completion type. */
export async function registerOperation(rec: HistoryRecorder, c: RegisterClient, rng: Prng, keys: string[]): Promise<'ok' | 'fail' | 'info'> {
  const key = keys[rng.int(keys.length)];
  const roll = rng.next();
  const f = roll < 0.5 ? 'read' : roll < 0.75 ? 'write' : 'cas';
  const base = { process: c.process, f, node: c.node };
  if (f === 'read') {
    rec.record({ ...base, type: 'invoke', value: [key, null] });
    try {
      const v = registerValue(await c.api.serviceInspect(key));
      rec.record({ ...base, type: 'ok', value: [key, v] });
      return 'ok';
    } catch (e) {
      rec.record({ ...base, type: failureType(e, true), value: [key, null], error: errorText(e) });
      return 'fail';
    }
  }
  const value: unknown = f === 'write' ? [key, rng.int(VALUES)] : [key, [rng.int(VALUES), rng.int(VALUES)]];
  rec.record({ ...base, type: 'invoke', value });
  let current: Service;
  try {
    current = await c.api.serviceInspect(key);
  } catch (e) {
    // Nothing was written yet: the operation certainly had no effect.
    rec.record({ ...base, type: 'fail', value, error: errorText(e) });
    return 'fail';
  }
  let target: number;
  if (f === 'write') target = (value as [string, number])[1];
  else {
    const [from, to] = (value as [string, [number, number]])[1];
    if (registerValue(current) !== from) {
      rec.record({ ...base, type: 'fail', value, error: `register holds ${registerValue(current)}, not ${from}` });
      return 'fail';
    }
    target = to;
  }
  try {
    await setValue(c.api, current, target);
    rec.record({ ...base, type: 'ok', value });
    return 'ok';
  } catch (e) {
    const type = failureType(e, false);
    rec.record({ ...base, type, value, error: errorText(e) });
    return type;
  }
}
