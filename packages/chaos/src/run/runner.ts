// `swarmlab chaos run`: a fresh cluster, a workload through the Docker API, a seeded fault
// schedule played against the real processes, then heal, recover, check, and leave a run folder
// (history.jsonl, schedule.json, results.json, events.jsonl, node logs and state, report.html).

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, swarmlabHome } from '@swarmlab/launcher';
import { readHistory } from '../history.js';
import { generateSchedule, validateSchedule } from '../schedule.js';
import { checkConvergence } from '../convergence.js';
import type { Fault, HistoryOp, Results, Schedule } from '../types.js';
import { FINAL_READER, runChecks } from './checks.js';
import { runClients } from './clients.js';
import { applyFault, type ClusterView, type Heal } from './nemesis.js';
import { observeCluster, type ClusterSnapshot } from './observe.js';
import { HistoryRecorder } from './recorder.js';
import { registerKeys, registerValue, setupRegisters } from './register.js';
import { expectedServices } from './services.js';
import { mulberry32 } from '../prng.js';
import { writeReport } from '../report/index.js';

export interface ChaosRunOptions {
  managers?: number;
  workers?: number;
  /** Workload time in ms. */
  time?: number;
  interval?: number;
  nemesis?: Schedule['nemesis'];
  workload?: Schedule['workload'];
  concurrency?: number;
  seed?: number;
  /** The run folder (default $SWARMLAB_HOME/chaos/<time>-seed-<seed>). */
  out?: string;
  profile?: 'fast' | 'docker';
  home?: string;
  /** Upper bound on the time the healed cluster gets to converge, ms. */
  recoveryMs?: number;
  /** Extra environment for every node (the checker tests switch on a deliberate bug with it). */
  nodeEnv?: Record<string, string>;
  onProgress?: (line: string) => void;
  /** Called with the cluster as soon as it is up (tests use it to stop every process whatever happens). */
  onLab?: (lab: Lab) => void;
}

export interface ChaosRun {
  dir: string;
  results: Results;
}

const REGISTER_COUNT = 3;

/** Runs a fresh schedule drawn from the options' seed. */
export async function runChaos(o: ChaosRunOptions = {}): Promise<ChaosRun> {
  const schedule = generateSchedule({
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    time: o.time ?? 60_000,
    interval: o.interval ?? 5_000,
    nemesis: o.nemesis ?? ['partition', 'kill'],
    managers: o.managers ?? 5,
    workers: o.workers ?? 3,
    workload: o.workload ?? 'register',
    concurrency: o.concurrency ?? 8,
  });
  return playSchedule(schedule, o);
}

/** Plays a given schedule (a replay plays the one recorded in a run folder). */
export async function playSchedule(schedule: Schedule, o: ChaosRunOptions = {}): Promise<ChaosRun> {
  const progress = o.onProgress ?? (() => undefined);
  const home = o.home ?? swarmlabHome();
  const started = new Date();
  const dir = o.out ?? join(home, 'chaos', `${started.toISOString().replace(/[:.]/g, '-')}-seed-${schedule.seed}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schedule.json'), JSON.stringify(withoutApplied(schedule), null, 2));
  const recorder = new HistoryRecorder(join(dir, 'history.jsonl'));

  progress(`starting ${schedule.managers} managers and ${schedule.workers} workers`);
  const lab = await Lab.up({
    name: `chaos-${schedule.seed}-${process.pid}`,
    managers: schedule.managers,
    workers: schedule.workers,
    fresh: true,
    home,
    profile: o.profile ?? 'fast',
    nodeEnv: o.nodeEnv,
  });
  o.onLab?.(lab);
  const names = lab.list();
  const view: ClusterView = {
    lab,
    managers: new Set(names.filter((n) => n.role === 'manager').map((n) => n.name)),
    workers: new Set(names.filter((n) => n.role === 'worker').map((n) => n.name)),
    rng: mulberry32(schedule.seed ^ 0x5eed),
  };
  const keys = schedule.workload === 'services' ? [] : registerKeys(REGISTER_COUNT);
  const secrets: { name: string; value: Buffer }[] = [];
  let snapshot: ClusterSnapshot | undefined;
  const played: Fault[] = [];
  try {
    const api = lab.client('manager1', 10_000);
    await setupRegisters(api, keys);
    // One probe secret in every run, so the at-rest check always has something to look for.
    const probe = Buffer.from(`swarmlab-chaos-probe-${mulberry32(schedule.seed).next().toString(36).slice(2)}-${process.pid}`);
    await api.secretCreate({ Name: 'chaos-probe', Data: probe.toString('base64') });
    secrets.push({ name: 'chaos-probe', value: probe });

    progress(`running the ${schedule.workload} workload for ${schedule.time / 1000} s with ${schedule.faults.length} faults`);
    // One clock for operations and faults: ms since the workload started.
    recorder.restart();
    const elapsed = () => recorder.now() / 1e6;
    const workload = runClients(
      { lab, schedule, recorder, managers: view.managers, registerKeys: keys, secrets, requestTimeoutMs: o.profile === 'docker' ? 15_000 : 3_000 },
      () => elapsed() >= schedule.time,
    );
    await playFaults(view, schedule, elapsed, played, progress);
    await workload;

    progress('healing every fault');
    await healEverything(lab);
    snapshot = await recover(lab, view, recorder.ops, o.recoveryMs ?? 30_000, progress);
    await finalReads(lab, view, recorder, keys);
  } finally {
    await recorder.close();
    await lab.down();
    collect(lab.dir, dir);
  }
  writeFileSync(join(dir, 'schedule.json'), JSON.stringify({ ...schedule, faults: played.length ? played : schedule.faults }, null, 2));
  if (snapshot) writeFileSync(join(dir, FINAL_STATE), JSON.stringify(snapshot, null, 2));
  // The probe values are test data this run made up; `chaos check` needs them to scan again.
  writeFileSync(join(dir, PROBES), JSON.stringify(secrets.map((s) => ({ name: s.name, hex: s.value.toString('hex') }))));
  const results = await runChecks({ dir, schedule, history: recorder.ops, snapshot, secrets, startedAt: recorder.startedAt });
  results.durationMs = Date.now() - started.getTime();
  return { dir, results: await finish(dir, results) };
}

const FINAL_STATE = 'final-state.json';
const PROBES = 'at-rest-probes.json';

async function finish(dir: string, results: Results): Promise<Results> {
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  await writeReport(dir);
  return results;
}

/** Plays the schedule recorded in a run folder again: same faults at the same offsets, same seed
 * for the operation mix and the choice of targets. The new run gets its own folder. */
export async function replayChaos(from: string, o: ChaosRunOptions = {}): Promise<ChaosRun> {
  const schedule = validateSchedule(JSON.parse(readFileSync(join(from, 'schedule.json'), 'utf8')));
  const out = o.out ?? `${from.replace(/\/+$/, '')}-replay-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  return playSchedule(withoutApplied(schedule), { ...o, out });
}

/** Re-runs the checkers on a recorded run folder. */
export async function checkRun(dir: string): Promise<Results> {
  const schedule = validateSchedule(JSON.parse(readFileSync(join(dir, 'schedule.json'), 'utf8')));
  const history = await readHistory(join(dir, 'history.jsonl'));
  const snapshot = existsSync(join(dir, FINAL_STATE)) ? (JSON.parse(readFileSync(join(dir, FINAL_STATE), 'utf8')) as ClusterSnapshot) : undefined;
  const probes = existsSync(join(dir, PROBES)) ? (JSON.parse(readFileSync(join(dir, PROBES), 'utf8')) as { name: string; hex: string }[]) : [];
  const secrets = probes.map((p) => ({ name: p.name, value: Buffer.from(p.hex, 'hex') }));
  const previous = existsSync(join(dir, 'results.json')) ? (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Partial<Results>) : {};
  const results = await runChecks({ dir, schedule, history, snapshot, secrets, startedAt: new Date(previous.startedAt ?? Date.now()) });
  if (previous.durationMs !== undefined) results.durationMs = previous.durationMs;
  return finish(dir, results);
}

function withoutApplied(s: Schedule): Schedule {
  return { ...s, faults: s.faults.map(({ applied: _applied, ...f }) => f) };
}

/** Plays every fault on its own timeline (a membership change may fall inside another fault). */
async function playFaults(view: ClusterView, schedule: Schedule, elapsed: () => number, played: Fault[], progress: (l: string) => void): Promise<void> {
  const sleepUntil = async (at: number) => {
    const wait = at - elapsed();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  const faults = [...schedule.faults].sort((a, b) => a.at - b.at).filter((f) => f.at < schedule.time);
  await Promise.all(
    faults.map(async (fault) => {
      await sleepUntil(fault.at);
      const at = elapsed();
      let heal: Heal = async () => undefined;
      const record: Fault = { ...fault, applied: { nodes: [], at } };
      played.push(record);
      try {
        const r = await applyFault(view, fault);
        heal = r.heal;
        record.applied = { nodes: r.nodes, at, ...(r.note ? { note: r.note } : {}) };
        progress(`${(at / 1000).toFixed(1)} s: ${fault.kind} ${fault.action} ${r.nodes.join(',') || '-'}`);
      } catch (e) {
        record.applied = { nodes: [], at, note: `not applied: ${e instanceof Error ? e.message : String(e)}` };
      }
      await sleepUntil(Math.min(fault.at + fault.duration, schedule.time));
      try {
        await heal();
      } catch (e) {
        record.applied.note = `${record.applied.note ?? ''} heal failed: ${e instanceof Error ? e.message : String(e)}`.trim();
      }
      record.applied.healedAt = elapsed();
    }),
  );
  played.sort((a, b) => a.at - b.at);
  await sleepUntil(schedule.time);
}

/** Lifts every network fault, resumes paused nodes, starts stopped ones, resets clocks. */
async function healEverything(lab: Lab): Promise<void> {
  await lab.heal();
  const down = lab.list().filter((n) => n.state === 'exited' || n.state === 'stopped').map((n) => n.name);
  if (down.length) await lab.start(down.join(','));
  await Promise.all(lab.list().map((n) => lab.clock(n.name, 0).catch(() => undefined)));
}

/** Polls until the convergence check passes or the bound passes; returns the last snapshot. */
async function recover(lab: Lab, view: ClusterView, history: HistoryOp[], boundMs: number, progress: (l: string) => void): Promise<ClusterSnapshot> {
  progress(`letting the cluster recover (up to ${boundMs / 1000} s)`);
  const deadline = Date.now() + boundMs;
  for (;;) {
    const snapshot = await observeCluster(lab, [...view.managers]);
    if (checkConvergence(snapshot, expectedServices(history, snapshot.services)).verdict === 'valid' || Date.now() > deadline) return snapshot;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Reads every register once more through the leader after healing; they join the history. */
async function finalReads(lab: Lab, view: ClusterView, recorder: HistoryRecorder, keys: string[]): Promise<void> {
  const leader = (await lab.leader()) ?? [...view.managers][0];
  const api = lab.client(leader, 10_000);
  const process = FINAL_READER;
  for (const key of keys) {
    recorder.record({ process, type: 'invoke', f: 'read', value: [key, null], node: leader });
    try {
      const v = registerValue(await api.serviceInspect(key));
      recorder.record({ process, type: 'ok', f: 'read', value: [key, v], node: leader });
    } catch (e) {
      recorder.record({ process, type: 'fail', f: 'read', value: [key, null], node: leader, error: String(e) });
    }
  }
}

/** Moves what the checks and the report need from the throwaway cluster's folder into the run
 * folder (events, node logs, node state for the at-rest scan), then removes the cluster. */
function collect(clusterDir: string, dir: string): void {
  for (const part of ['events.jsonl', 'logs', 'nodes']) {
    const from = join(clusterDir, part);
    if (existsSync(from)) cpSync(from, join(dir, part), { recursive: true });
  }
  rmSync(clusterDir, { recursive: true, force: true });
}
