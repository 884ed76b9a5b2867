// A running cluster's Lab, driven from another process: the same verbs as Lab, carried out by the
// cluster's background launcher over its socket. `swarmlab run --cluster NAME` hands scripts one.

import { waitFor, type Condition } from './wait.js';
import { DockerClient } from '@swarmlab/api';
import type { LinkShape } from './faults.js';
import { resolveAlias, type LabEvent, type NodeView } from './lab.js';
import { clusterDir } from './paths.js';
import { SupervisorClient } from './remote-http.js';
import { runningClusters } from './remote-clusters.js';
import { supervisorSocket, type LiveNode } from './supervisor-protocol.js';

/** What a script may call on a cluster: the same names on a Lab and on a RemoteLab. */
export interface LabApi {
  readonly name: string;
  readonly dir: string;
  kill(target: string): Promise<string[]>;
  stop(target: string): Promise<string[]>;
  start(target: string): Promise<string[]>;
  restart(target: string): Promise<string[]>;
  pause(target: string): Promise<string[]>;
  resume(target: string): Promise<string[]>;
  partition(...groups: string[][]): Promise<void>;
  isolate(target: string): Promise<string[]>;
  partitionHalves(): Promise<string[][]>;
  partitionMajoritiesRing(): Promise<void>;
  partitionBridge(): Promise<void>;
  cutApi(target: string): Promise<string[]>;
  block(from: string, to: string, oneWay?: boolean): Promise<void>;
  link(a: string, b: string, shape: LinkShape, oneWay?: boolean): Promise<void>;
  heal(): Promise<void>;
  clock(target: string, offsetMs: number): Promise<void>;
  leader(): Promise<string | undefined>;
  /** On a Lab this answers at once; `await` it to work with both. */
  list(): NodeView[] | Promise<NodeView[]>;
  resolve(target: string): Promise<string[]>;
  status(name: string): Promise<Record<string, unknown>>;
  nicStats(name: string): Promise<unknown>;
  allReady(): Promise<boolean>;
  /** Why allReady() is false (no leader, or the nodes not Ready and their state), else undefined. */
  notReady(): Promise<string | undefined>;
  add(counts: { managers?: number; workers?: number }): Promise<string[]>;
  client(ref: string, timeoutMs?: number): DockerClient;
  waitFor<T>(condition: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  pids(): number[] | Promise<number[]>;
  down(): Promise<void>;
}

export interface RemoteOptions {
  /** Where clusters live (default $SWARMLAB_HOME or ~/.swarmlab). */
  home?: string;
}

export class RemoteLab implements LabApi {
  private addrs = new Map<string, string>();

  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly http: SupervisorClient,
  ) {}

  /** Connects to a running cluster: by name, or the only one running. */
  static async connect(name?: string, options: RemoteOptions = {}): Promise<RemoteLab> {
    if (name === undefined) {
      const running = runningClusters(options.home);
      if (running.length !== 1) {
        throw new Error(
          running.length === 0
            ? 'no cluster is running (start one with `swarmlab up`)'
            : `several clusters are running (${running.join(', ')}): name one`,
        );
      }
      name = running[0];
    }
    const dir = clusterDir(name, options.home);
    const lab = new RemoteLab(name, dir, new SupervisorClient(supervisorSocket(dir), name));
    await lab.list();
    return lab;
  }

  // ---- process faults ------------------------------------------------------------------------------

  kill(target: string): Promise<string[]> {
    return this.http.call('kill', target);
  }
  stop(target: string): Promise<string[]> {
    return this.http.call('stop', target);
  }
  start(target: string): Promise<string[]> {
    return this.http.call('start', target);
  }
  restart(target: string): Promise<string[]> {
    return this.http.call('restart', target);
  }
  pause(target: string): Promise<string[]> {
    return this.http.call('pause', target);
  }
  resume(target: string): Promise<string[]> {
    return this.http.call('resume', target);
  }

  // ---- network and clock faults ----------------------------------------------------------------------

  async partition(...groups: string[][]): Promise<void> {
    await this.http.call('partition', ...groups);
  }
  isolate(target: string): Promise<string[]> {
    return this.http.call('isolate', target);
  }
  partitionHalves(): Promise<string[][]> {
    return this.http.call('partitionHalves');
  }
  async partitionMajoritiesRing(): Promise<void> {
    await this.http.call('partitionMajoritiesRing');
  }
  async partitionBridge(): Promise<void> {
    await this.http.call('partitionBridge');
  }
  cutApi(target: string): Promise<string[]> {
    return this.http.call('cutApi', target);
  }
  async block(from: string, to: string, oneWay = false): Promise<void> {
    await this.http.call('block', from, to, oneWay);
  }
  async link(a: string, b: string, shape: LinkShape, oneWay = false): Promise<void> {
    await this.http.call('link', a, b, shape, oneWay);
  }
  async heal(): Promise<void> {
    await this.http.call('heal');
  }
  async clock(target: string, offsetMs: number): Promise<void> {
    await this.http.call('clock', target, offsetMs);
  }

  // ---- views -----------------------------------------------------------------------------------------

  async leader(): Promise<string | undefined> {
    return (await this.http.call<string | null>('leader')) ?? undefined;
  }

  async list(): Promise<NodeView[]> {
    const views = await this.http.call<NodeView[]>('list');
    this.addrs = new Map(views.map((v) => [v.name, v.addr]));
    return views.map((v) => ({ ...v, pid: v.pid ?? undefined }));
  }

  /** Every node with its process state and the swarm's view of it (status, availability, …). */
  nodes(): Promise<LiveNode[]> {
    return this.http.call('nodes');
  }

  resolve(target: string): Promise<string[]> {
    return this.http.call('resolve', target);
  }
  status(name: string): Promise<Record<string, unknown>> {
    return this.http.call('status', name);
  }
  nicStats(name: string): Promise<unknown> {
    return this.http.call('nicStats', name);
  }
  allReady(): Promise<boolean> {
    return this.http.call('allReady');
  }
  async notReady(): Promise<string | undefined> {
    return (await this.http.call<string | null>('notReady')) ?? undefined;
  }
  pids(): Promise<number[]> {
    return this.http.call('pids');
  }

  async add(counts: { managers?: number; workers?: number }): Promise<string[]> {
    const names = await this.http.call<string[]>('add', counts);
    await this.list();
    return names;
  }

  /** A typed Docker API client for a node (by name or alias), talking to it directly. */
  client(ref: string, timeoutMs = 30_000): DockerClient {
    const addr = this.addrs.get(resolveAlias(ref));
    if (!addr) throw new Error(`unknown node "${ref}" (nodes: ${[...this.addrs.keys()].join(', ')})`);
    return new DockerClient({ host: addr, port: 2375, timeoutMs });
  }

  /** The cluster's events (events.jsonl), and with `follow` the ones still to come. */
  async *events(options: { follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LabEvent> {
    for await (const line of this.http.lines(`/events${options.follow ? '?follow=1' : ''}`, options.signal)) {
      try {
        yield JSON.parse(line) as LabEvent;
      } catch {
        /* a line cut short by a crash: skip it */
      }
    }
  }

  /** Polls `condition` until it holds (returns truthy) or `timeoutMs` passes, as Lab.waitFor. */
  waitFor<T>(condition: Condition<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return waitFor(condition, timeoutMs, what);
  }

  /** Stops the cluster: every node, then its launcher. */
  async down(): Promise<void> {
    await this.http.down();
  }
}
