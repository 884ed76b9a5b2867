// The Swarm service rules on a real cluster (1 manager + 3 workers, one process each): placement
// preferences, max replicas per node, node availability, --replicas 0, a global service following
// drains and joins, the restart policy's attempts and history, and a manual rollback. Each case
// removes its service so the next one starts from an idle cluster.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import type { Node, Task } from '@swarmlab/api';
import { addLabel, docker, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;
let m1: string;

beforeAll(async () => {
  lab = await startLab({ name: 'services-rules', managers: 1, workers: 3 });
  m1 = lab.node('manager1').spec.addr;
  // Two zones of two nodes each, for the placement preference.
  for (const [node, zone] of [['manager1', 'a'], ['worker1', 'a'], ['worker2', 'b'], ['worker3', 'b']]) {
    await addLabel(lab, 'manager1', node, 'zone', zone);
  }
}, 60_000);
afterAll(stopAllLabs, 60_000);

const api = () => lab.client('manager1');

async function running(service: string): Promise<Task[]> {
  const tasks = await api().taskList({ service: [service], 'desired-state': ['running'] });
  return tasks.filter((t) => t.Status.State === 'running');
}

/** Waits until exactly `n` tasks of `service` run, and returns them. */
function waitRunning(service: string, n: number, what = `${n} running ${service} tasks`): Promise<Task[]> {
  return lab.waitFor(async () => {
    const r = await running(service);
    return r.length === n ? r : undefined;
  }, 20_000, what);
}

async function nodeIdsByHostname(): Promise<Map<string, string>> {
  const nodes: Node[] = await api().nodeList();
  return new Map(nodes.map((n) => [n.Description.Hostname, n.ID]));
}

/** `docker node update --availability`, through the CLI when installed; retried on a stale version. */
async function setAvailability(hostname: string, availability: 'active' | 'pause' | 'drain'): Promise<void> {
  const cli = await docker(m1, ['node', 'update', '--availability', availability, hostname]);
  if (cli) {
    expect(cli.stderr).toBe('');
    return;
  }
  for (let attempt = 0; ; attempt++) {
    const n = await api().nodeInspect(hostname);
    try {
      await api().nodeUpdate(n.ID, n.Version.Index, { ...n.Spec, Availability: availability });
      return;
    } catch (e) {
      if (!/out of sequence/.test(String(e)) || attempt >= 10) throw e;
    }
  }
}

/** Scales through `docker service scale -d` when installed, else through the API. */
async function scale(service: string, replicas: number): Promise<void> {
  const cli = await docker(m1, ['service', 'scale', '-d', `${service}=${replicas}`]);
  if (cli) {
    expect(cli.stdout).toContain(`${service} scaled to ${replicas}`);
    return;
  }
  const svc = await api().serviceInspect(service);
  await api().serviceUpdate(svc.ID, svc.Version.Index, { ...svc.Spec, Mode: { Replicated: { Replicas: replicas } } });
}

/** Removes a service and waits until none of its containers still runs, so the next case starts idle. */
async function removeService(name: string): Promise<void> {
  const { ID } = await api().serviceInspect(name);
  await api().serviceRemove(ID);
  await lab.waitFor(async () => {
    const left = (await api().taskList()).filter((t) => t.ServiceID === ID && t.Status.State === 'running');
    return left.length === 0;
  }, 20_000, `${name}'s tasks stopped`);
}

// Tagged as the docker client tags images on every update: an untagged `busybox` would turn into
// `busybox:latest` at the first `docker service scale`, a new task spec, and a rolling update.
const sleeper = (args = ['sleep', '3600']) => ({ ContainerSpec: { Image: 'busybox:latest', Args: args } });

describe('service rules', () => {
  it('splits replicas evenly over the values of spread=node.labels.zone', async () => {
    await api().serviceCreate({
      Name: 'zoned',
      TaskTemplate: { ...sleeper(), Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }] } },
      Mode: { Replicated: { Replicas: 4 } },
    });
    const tasks = await waitRunning('zoned', 4);
    const nodes = await api().nodeList();
    const zoneOf = (id: string | undefined) => nodes.find((n) => n.ID === id)?.Spec.Labels?.zone;
    const perZone = new Map<string | undefined, number>();
    for (const t of tasks) perZone.set(zoneOf(t.NodeID), (perZone.get(zoneOf(t.NodeID)) ?? 0) + 1);
    expect(Object.fromEntries(perZone)).toEqual({ a: 2, b: 2 });
    await removeService('zoned');
  }, 40_000);

  it('leaves the replica beyond MaxReplicas per node pending with Docker\'s message', async () => {
    await api().serviceCreate({
      Name: 'capped',
      TaskTemplate: { ...sleeper(), Placement: { MaxReplicas: 1 } },
      Mode: { Replicated: { Replicas: 5 } },
    });
    const tasks = await waitRunning('capped', 4);
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(4);
    const pending = await lab.waitFor(async () => {
      const all = await api().taskList({ service: ['capped'] });
      return all.find((t) => t.Status.State === 'pending' && t.Status.Err);
    }, 10_000, 'the pending replica');
    expect(pending.Status.Err).toBe('no suitable node (max replicas per node limit exceed)');
    expect(pending.NodeID ?? '').toBe('');
    await removeService('capped');
  }, 40_000);

  it('drain moves tasks off, pause keeps them but takes no new ones, active takes new ones again', async () => {
    const ids = await nodeIdsByHostname();
    const [w1, w2] = [ids.get('worker1')!, ids.get('worker2')!];
    await api().serviceCreate({ Name: 'avail', TaskTemplate: sleeper(), Mode: { Replicated: { Replicas: 4 } } });
    const spread = await waitRunning('avail', 4);
    expect(new Set(spread.map((t) => t.NodeID)).size).toBe(4);
    try {
      await setAvailability('worker1', 'drain');
      const drained = await lab.waitFor(async () => {
        const r = await running('avail');
        return r.length === 4 && r.every((t) => t.NodeID !== w1) ? r : undefined;
      }, 20_000, 'worker1 drained of avail tasks');
      expect(new Set(drained.map((t) => t.Slot))).toEqual(new Set([1, 2, 3, 4]));
      // worker2 may have taken the drained task too; whatever it runs now must stay.
      const onW2 = drained.filter((t) => t.NodeID === w2).map((t) => t.ID).sort();
      expect(onW2.length).toBeGreaterThan(0);

      await setAvailability('worker2', 'pause');
      await scale('avail', 6);
      const paused = await waitRunning('avail', 6);
      // The paused node keeps the task it had and gets none of the two new ones.
      expect(paused.filter((t) => t.NodeID === w2).map((t) => t.ID).sort()).toEqual(onW2);
      expect(paused.some((t) => t.NodeID === w1)).toBe(false);

      await setAvailability('worker1', 'active');
      await scale('avail', 7);
      const back = await waitRunning('avail', 7);
      // worker1 has no task of this service, so spread places the new one there.
      expect(back.filter((t) => t.NodeID === w1)).toHaveLength(1);
      expect(back.filter((t) => t.NodeID === w2).map((t) => t.ID).sort()).toEqual(onW2);
    } finally {
      await setAvailability('worker1', 'active');
      await setAvailability('worker2', 'active');
    }
    await removeService('avail');
  }, 60_000);

  it('stops a service at --replicas 0 and scales back up from slot 1', async () => {
    await api().serviceCreate({ Name: 'zero', TaskTemplate: sleeper(), Mode: { Replicated: { Replicas: 3 } } });
    await waitRunning('zero', 3);
    await scale('zero', 0);
    await lab.waitFor(async () => {
      const live = await api().taskList({ service: ['zero'], 'desired-state': ['running'] });
      return live.length === 0 && (await running('zero')).length === 0;
    }, 20_000, 'no zero task left running');
    const [svc] = await api().serviceList({ filters: { name: ['zero'] }, status: true });
    expect(svc.Spec.Mode.Replicated?.Replicas).toBe(0);
    const ls = await docker(m1, ['service', 'ls', '--filter', 'name=zero']);
    if (ls) expect(ls.stdout).toMatch(/zero\s+replicated\s+0\/0\s+busybox/);

    await scale('zero', 2);
    const up = await waitRunning('zero', 2);
    expect(up.map((t) => t.Slot).sort()).toEqual([1, 2]);
    await removeService('zero');
  }, 40_000);

  it('shuts a global task down on drain and starts one on a node that joins', async () => {
    await api().serviceCreate({ Name: 'everywhere', TaskTemplate: sleeper(), Mode: { Global: {} } });
    await waitRunning('everywhere', 4);
    const w3 = (await nodeIdsByHostname()).get('worker3')!;
    try {
      await setAvailability('worker3', 'drain');
      await waitRunning('everywhere', 3, 'three global tasks after the drain');
      const onW3 = await lab.waitFor(async () => {
        const [t] = await api().taskList({ service: ['everywhere'], node: [w3] });
        return t?.Status.State === 'shutdown' ? t : undefined;
      }, 20_000, 'the drained node\'s global task shut down');
      expect(onW3.DesiredState).toBe('shutdown');
      // Not replaced elsewhere: still one task per remaining node.
      expect(new Set((await running('everywhere')).map((t) => t.NodeID)).size).toBe(3);

      const [joined] = await lab.add({ workers: 1 });
      const joinedId = (await nodeIdsByHostname()).get(joined)!;
      const after = await waitRunning('everywhere', 4, 'a global task on the joined node');
      expect(after.filter((t) => t.NodeID === joinedId)).toHaveLength(1);
      expect(after.some((t) => t.NodeID === w3)).toBe(false);
    } finally {
      await setAvailability('worker3', 'active');
    }
    await waitRunning('everywhere', 5, 'the global task back on worker3');
    await removeService('everywhere');
  }, 90_000);

  it('stops restarting after MaxAttempts and keeps every attempt in the history', async () => {
    const maxAttempts = 2;
    await api().serviceCreate({
      Name: 'crash',
      TaskTemplate: {
        ...sleeper(['sh', '-c', 'exit 1']),
        RestartPolicy: { Condition: 'on-failure', MaxAttempts: maxAttempts, Delay: 100_000_000 },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    // A restart creates its replacement in the same change that shuts the failed task down, so
    // once every task is failed with desired state shutdown, no further attempt is coming.
    const tasks = await lab.waitFor(async () => {
      const all = await api().taskList({ service: ['crash'] });
      const over = all.length >= maxAttempts + 1 && all.every((t) => t.Status.State === 'failed' && t.DesiredState === 'shutdown');
      return over ? all : undefined;
    }, 20_000, 'every attempt failed');
    expect(tasks).toHaveLength(maxAttempts + 1);
    for (const t of tasks) {
      expect(t.Slot).toBe(1);
      expect(t.Status.Err).toBe('task: non-zero exit (1)');
      expect(t.Status.ContainerStatus?.ExitCode).toBe(1);
    }
    // A table format, because the CLI marks older tasks of a slot with ` \_ ` only in tables.
    const ps = await docker(m1, ['service', 'ps', 'crash', '--no-trunc', '--format', 'table {{.Name}}|{{.DesiredState}}|{{.Error}}']);
    if (ps) {
      const [header, ...lines] = ps.stdout.trim().split('\n').map((l) => l.trimEnd());
      expect(header).toBe('NAME|DESIRED STATE|ERROR');
      // The CLI quotes the error column.
      expect(lines).toEqual([
        'crash.1|Shutdown|"task: non-zero exit (1)"',
        ...Array.from({ length: maxAttempts }, () => ' \\_ crash.1|Shutdown|"task: non-zero exit (1)"'),
      ]);
    }
    await removeService('crash');
  }, 40_000);

  it('rolls back to the previous spec on `docker service rollback`', async () => {
    const oneSecond = 1_000_000_000;
    await api().serviceCreate({
      Name: 'roll',
      TaskTemplate: sleeper(['sleep', '3600']),
      Mode: { Replicated: { Replicas: 2 } },
      UpdateConfig: { Parallelism: 0, Monitor: oneSecond / 5 },
      // A monitor window keeps the rollback in progress long enough to be observed.
      RollbackConfig: { Parallelism: 0, Monitor: oneSecond },
    });
    await waitRunning('roll', 2);
    const svc = await api().serviceInspect('roll');
    const updated = structuredClone(svc.Spec);
    updated.TaskTemplate.ContainerSpec!.Args = ['sleep', '7200'];
    await api().serviceUpdate(svc.ID, svc.Version.Index, updated);
    await lab.waitFor(async () => (await api().serviceInspect('roll')).UpdateStatus?.State === 'completed', 20_000, 'the update to complete');

    const cli = await docker(m1, ['service', 'rollback', '-d', 'roll']);
    if (cli) expect(cli.stdout.trim()).toBe('roll');
    else {
      const cur = await api().serviceInspect('roll');
      await api().serviceUpdate(cur.ID, cur.Version.Index, cur.Spec, { rollback: 'previous' });
    }
    const started = await api().serviceInspect('roll');
    expect(started.UpdateStatus?.State).toBe('rollback_started');
    expect(started.UpdateStatus?.Message).toBe('manually requested rollback');
    expect(started.Spec.TaskTemplate.ContainerSpec!.Args).toEqual(['sleep', '3600']);
    expect(started.PreviousSpec?.TaskTemplate.ContainerSpec!.Args).toEqual(['sleep', '7200']);

    const done = await lab.waitFor(async () => {
      const s = await api().serviceInspect('roll');
      return s.UpdateStatus?.State === 'rollback_completed' ? s : undefined;
    }, 20_000, 'the rollback to complete');
    expect(done.UpdateStatus?.Message).toBe('rollback completed');
    const tasks = await waitRunning('roll', 2);
    for (const t of tasks) expect(t.Spec.ContainerSpec?.Args).toEqual(['sleep', '3600']);
    await removeService('roll');
  }, 60_000);
});
