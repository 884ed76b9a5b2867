// A local cluster: one OS process per node, formed through the nodes' own Docker API (init on
// manager1, read the join tokens, join the others — what a person does with the docker CLI),
// supervised by pid, with every fault one call away. Scripts and the CLI both drive this class.

import { waitFor, type Condition } from './wait.js';
import { DockerClient } from '@swarmlab/api';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CpuHeadroom } from './cpu-headroom.js';
import { ControlServer } from './control-server.js';
import {
  apiCutPlan,
  blockPlan,
  bridge,
  connectivityPlan,
  halves,
  linkPlan,
  majoritiesRing,
  mergePlans,
  partitionPlan,
  type LinkShape,
  type NicRules,
  type RulePlan,
} from './faults.js';
import { NodeProcess, type Role } from './node-process.js';
import { allocateAddressBlock, clusterDir, releaseBlock, type ClusterRecord } from './paths.js';
import { killGroup } from './supervisor-cleanup.js';

export interface LabOptions {
  name?: string;
  managers?: number;
  workers?: number;
  profile?: 'fast' | 'docker';
  timeScale?: number;
  autolock?: boolean;
  defaultAddrPool?: string;
  defaultAddrPoolMaskLength?: number;
  /** Start from nothing even if the cluster existed before. */
  fresh?: boolean;
  /** Where clusters live (default $SWARMLAB_HOME or ~/.swarmlab). */
  home?: string;
  /** Called with progress lines while `up` runs. */
  onProgress?: (line: string) => void;
  /** Extra environment for every node process. */
  nodeEnv?: Record<string, string>;
}

export interface NodeView {
  name: string;
  role: Role;
  addr: string;
  pid: number | undefined;
  state: string;
}

export type Target = string;

export interface LabEvent {
  time: string;
  kind: 'fault' | 'heal' | 'observed' | 'process';
  [k: string]: unknown;
}

const ALIASES: Record<string, string> = {};

/** Worker joins in flight at once while a cluster forms. */
const JOIN_CONCURRENCY = 8;
/** Worker processes starting at once while a cluster forms (each start is ~0.1 s of CPU). */
const WORKER_START_CONCURRENCY = 4;
/**
 * Nodes started before the machine's spare CPU paces the rest (cpu-headroom.ts). Beyond 100 a
 * saturated two-core machine starved workers past their heartbeat deadlines; up to 100 every
 * session held, and pacing would only slow `up` against its 20 s target for 100 nodes.
 */
const UNPACED_STARTS = 100;

export class Lab {
  readonly nodes = new Map<string, NodeProcess>();
  readonly control = new ControlServer();
  readonly dir: string;
  private rules: RulePlan = new Map();
  private eventsFile: string;
  private record: ClusterRecord;

  private constructor(
    readonly name: string,
    readonly opts: Required<Pick<LabOptions, 'profile' | 'timeScale'>> & LabOptions,
    record: ClusterRecord,
  ) {
    this.dir = clusterDir(name, opts.home);
    this.eventsFile = join(this.dir, 'events.jsonl');
    this.record = record;
  }

  /** Brings a cluster up (or back, with its state) and returns when all nodes are Ready. */
  static async up(options: LabOptions = {}): Promise<Lab> {
    const name = options.name ?? 'default';
    const dir = clusterDir(name, options.home);
    if (options.fresh && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const recordPath = join(dir, 'cluster.json');
    let record: ClusterRecord | undefined = existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as ClusterRecord) : undefined;
    const managers = options.managers ?? record?.managers ?? 3;
    const workers = options.workers ?? record?.workers ?? 2;
    if (managers < 1) throw new Error('a cluster needs at least one manager (--managers 1 or more)');
    if (workers < 0) throw new Error('--workers cannot be negative');
    const resuming = record !== undefined && !options.fresh;
    if (!record || options.fresh) {
      record = { name, managers, workers, addressBlock: await allocateAddressBlock(options.home, name), formed: false, profile: options.profile ?? 'fast', timeScale: options.timeScale ?? 1 };
    } else {
      // Coming back on the same addresses: claim them again (and refuse if it is already up).
      await allocateAddressBlock(options.home, name);
    }
    const lab = new Lab(name, { ...options, profile: options.profile ?? record.profile, timeScale: options.timeScale ?? record.timeScale }, record);
    await lab.control.listen();
    lab.control.on('event', (node: string, ev: Record<string, unknown>) => lab.log({ kind: 'observed', node, ...ev }));
    try {
      // A formed cluster comes back with the nodes it has (added ones too), each on its address.
      const saved = resuming && record.formed ? record.nodes : undefined;
      if (saved && saved.length > 0) {
        for (const n of saved) lab.addNodeProcess(n.name, n.role, n.addr);
      } else {
        for (let i = 1; i <= managers; i++) lab.addNodeProcess(`manager${i}`, 'manager');
        for (let i = 1; i <= workers; i++) lab.addNodeProcess(`worker${i}`, 'worker');
      }
      lab.saveRecord();
      options.onProgress?.(`starting ${lab.nodes.size} node processes`);
      // Forming starts as soon as manager1 answers: the other processes come up meanwhile.
      // Workers start once the swarm exists (or, coming back, once the managers answer).
      const forming = !resuming || !record.formed;
      const swarmInitialized = deferred<void>();
      const started = lab.startInStages(swarmInitialized.promise);
      for (const p of started.values()) p.catch(() => undefined);
      const all = Promise.all(started.values()).then(() => lab.saveRecord());
      // When forming fails first, `all` is never awaited: its rejection must not end the process.
      all.catch(() => undefined);
      if (forming) {
        await lab.form(options, (name) => started.get(name)!, swarmInitialized.resolve);
        lab.record.formed = true;
      } else {
        const managersUp = [...lab.nodes.values()].filter((n) => n.spec.role === 'manager').map((n) => started.get(n.spec.name)!);
        await Promise.all(managersUp).then(() => swarmInitialized.resolve(), swarmInitialized.reject);
      }
      await all;
      // Record the pids, so `swarmlab down` finds them even if this process dies now.
      lab.saveRecord();
      options.onProgress?.('waiting for every node to be Ready with a leader');
      await lab.waitUntilAllReady();
      lab.log({ kind: 'process', action: 'up', nodes: lab.nodes.size });
      return lab;
    } catch (e) {
      await lab.down();
      throw e;
    }
  }

  /** Node starts in flight (down() waits for them, so no process is spawned behind its back). */
  private readonly starting = new Set<Promise<unknown>>();
  private closing = false;

  /** Starts a node process unless the Lab is going down; tracked so down() can wait for it. */
  private startNode(n: NodeProcess): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`${n.spec.name} not started: the cluster is going down`));
    const p = n.start().then(() => this.control.waitConnected(n.spec.name));
    this.starting.add(p);
    void p.catch(() => undefined).finally(() => this.starting.delete(p));
    return p;
  }

  /**
   * Starts every node process: manager1, then the other managers once it answers, then the
   * workers — a few at a time, once `workersMay` resolves. Forming the swarm is a chain (init on manager1, then one manager join
   * after another) that a hundred processes starting at once would starve of CPU; started a few
   * at a time, the workers come up while the managers form and each joins as soon as it answers.
   * Returns each node's "started and connected to the control channel" promise.
   */
  private startInStages(workersMay: Promise<unknown>): Map<string, Promise<void>> {
    const all = [...this.nodes.values()];
    const started = new Map<string, Promise<void>>();
    // manager1 alone first: `swarm init` on it is the head of the chain.
    const managers = all.filter((n) => n.spec.role === 'manager');
    const [first, ...others] = [...managers.filter((n) => n.spec.name === 'manager1'), ...managers.filter((n) => n.spec.name !== 'manager1')];
    if (first) started.set(first.spec.name, this.startNode(first));
    const firstUp = started.get(first?.spec.name ?? '') ?? Promise.resolve();
    for (const n of others) started.set(n.spec.name, firstUp.then(() => this.startNode(n)));
    const workers = all.filter((n) => n.spec.role === 'worker');
    for (const [name, p] of this.startWorkers(workers, all.length - workers.length, workersMay)) started.set(name, p);
    return started;
  }

  /**
   * Starts workers a few at a time once `may` resolves; once `running` plus those started reach
   * UNPACED_STARTS, each only while the machine has CPU to spare (cpu-headroom.ts). Returns each
   * worker's start promise.
   */
  private startWorkers(workers: NodeProcess[], running: number, may: Promise<unknown> = Promise.resolve()): Map<string, Promise<void>> {
    const queue = [...workers];
    const done = new Map(workers.map((n) => [n.spec.name, deferred<void>()] as const));
    const headroom = new CpuHeadroom();
    let starts = running;
    const lane = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const d = done.get(n.spec.name)!;
        if (starts++ >= UNPACED_STARTS) await headroom.acquire();
        await this.startNode(n).then(d.resolve, d.reject);
      }
    };
    void may
      .then(
        () => Promise.all(Array.from({ length: Math.min(WORKER_START_CONCURRENCY, queue.length) }, lane)),
        (e: unknown) => done.forEach((d) => d.reject(e)),
      )
      .finally(() => headroom.close());
    return new Map([...done].map(([name, d]) => [name, d.promise]));
  }

  private addNodeProcess(name: string, role: Role, addr = this.nextAddress()): NodeProcess {
    const p = new NodeProcess({
      name,
      role,
      addr,
      stateDir: join(this.dir, 'nodes', name),
      logFile: join(this.dir, 'logs', `${name}.log`),
      profile: this.opts.profile,
      timeScale: this.opts.timeScale,
      controlUrl: this.control.url,
      env: this.opts.nodeEnv,
    });
    this.nodes.set(name, p);
    return p;
  }

  /** The first address of the cluster's block that no node has. */
  private nextAddress(): string {
    const used = new Set([...this.nodes.values()].map((n) => n.spec.addr));
    for (let i = 0; ; i++) {
      const addr = nodeAddress(this.record.addressBlock, i);
      if (!used.has(addr)) return addr;
    }
  }

  private saveRecord(): void {
    writeFileSync(
      join(this.dir, 'cluster.json'),
      JSON.stringify({ ...this.record, launcherPid: process.pid, controlPort: this.control.port, nodes: this.list() }, null, 2),
    );
  }

  /** The swarm through the Docker API: init on manager1, then join managers and workers. */
  private async form(options: LabOptions, ready: (name: string) => Promise<void>, initialized: () => void): Promise<void> {
    const first = this.node('manager1');
    await ready('manager1');
    const api = this.client('manager1');
    options.onProgress?.('docker swarm init on manager1');
    await api.swarmInit({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: first.spec.addr,
      ...(options.defaultAddrPool ? { DefaultAddrPool: [options.defaultAddrPool] } : {}),
      ...(options.defaultAddrPoolMaskLength ? { SubnetSize: options.defaultAddrPoolMaskLength } : {}),
      ...(options.autolock ? { AutoLockManagers: true, Spec: { EncryptionConfig: { AutoLockManagers: true } } } : {}),
    });
    initialized();
    const swarm = await api.swarmInspect();
    const remote = `${first.spec.addr}:2377`;
    const others = [...this.nodes.values()].filter((n) => n.spec.name !== 'manager1');
    // Managers join one at a time (each is a Raft membership change); workers meanwhile, as
    // their processes come up: a worker's join only needs the CA and the dispatcher on manager1.
    const managers = (async () => {
      for (const n of others.filter((n) => n.spec.role === 'manager')) {
        await ready(n.spec.name);
        options.onProgress?.(`docker swarm join ${n.spec.name} as a manager`);
        await this.join(n.spec.name, remote, swarm.JoinTokens.Manager);
      }
    })();
    const workers = others.filter((n) => n.spec.role === 'worker');
    if (workers.length > 0) options.onProgress?.(`docker swarm join ${workers.length} workers`);
    const joined = this.joinWorkers(workers.map((n) => n.spec.name), remote, swarm.JoinTokens.Worker, ready);
    // Both settle before either failure is reported, so no join is left running behind us.
    const [m, w] = await Promise.allSettled([managers, joined]);
    if (m.status === 'rejected') throw m.reason;
    if (w.status === 'rejected') throw w.reason;
  }

  /**
   * Joins workers a few at a time: each join is a TLS handshake, a CSR signed by the leader and
   * a Raft write, and a hundred at once would only make the handshakes time out.
   */
  private async joinWorkers(names: string[], remote: string, token: string, ready?: (name: string) => Promise<void>): Promise<void> {
    const queue = [...names];
    const lanes = Array.from({ length: Math.min(JOIN_CONCURRENCY, queue.length) }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        await ready?.(name);
        await this.join(name, remote, token);
      }
    });
    await Promise.all(lanes);
  }

  /**
   * Joins new nodes to the running swarm as `form()` does: read the join tokens from the leader,
   * start the processes, join managers one at a time and workers together. Returns their names.
   */
  async add(counts: { managers?: number; workers?: number }, onProgress?: (line: string) => void): Promise<string[]> {
    const managers = counts.managers ?? 0;
    const workers = counts.workers ?? 0;
    for (const [flag, n] of [['managers', managers], ['workers', workers]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number of nodes, 0 or more (got ${n})`);
    }
    if (managers + workers === 0) throw new Error('nothing to add: give --managers N and/or --workers M');
    const leader = await this.leader();
    if (!leader) throw new Error('there is no leader right now, so no node can join: heal the cluster first');
    const swarm = await this.client(leader).swarmInspect();
    const remote = `${this.node(leader).spec.addr}:2377`;
    const fresh = [
      ...Array.from({ length: managers }, (_, i) => this.addNodeProcess(`manager${this.highestIndex('manager') + 1 + i}`, 'manager')),
      ...Array.from({ length: workers }, (_, i) => this.addNodeProcess(`worker${this.highestIndex('worker') + 1 + i}`, 'worker')),
    ];
    const names = fresh.map((n) => n.spec.name);
    const newManagers = fresh.filter((n) => n.spec.role === 'manager');
    const newWorkers = fresh.filter((n) => n.spec.role === 'worker');
    onProgress?.(`starting ${names.join(', ')}`);
    // Every start settles before a failure is acted on, so no process is left starting behind us.
    const starts = await Promise.allSettled([
      ...newManagers.map((n) => this.startNode(n)),
      ...this.startWorkers(newWorkers, this.nodes.size - fresh.length).values(),
    ]);
    const failed = starts.find((r) => r.status === 'rejected');
    if (failed) {
      // Nothing joined yet: forget the new nodes so the cluster is as it was.
      await Promise.all(fresh.map((n) => n.kill()));
      names.forEach((n) => this.nodes.delete(n));
      throw failed.reason;
    }
    this.record.managers += managers;
    this.record.workers += workers;
    this.saveRecord();
    for (const n of newManagers) {
      onProgress?.(`docker swarm join ${n.spec.name} as a manager`);
      await this.join(n.spec.name, remote, swarm.JoinTokens.Manager);
    }
    if (newWorkers.length > 0) onProgress?.(`docker swarm join ${newWorkers.map((n) => n.spec.name).join(', ')} as workers`);
    await this.joinWorkers(newWorkers.map((n) => n.spec.name), remote, swarm.JoinTokens.Worker);
    onProgress?.('waiting for every node to be Ready with a leader');
    await this.waitUntilAllReady();
    this.log({ kind: 'process', action: 'add', nodes: names });
    return names;
  }

  /** The highest N among nodes named `${prefix}N` (0 when there is none). */
  private highestIndex(prefix: Role): number {
    let max = 0;
    for (const name of this.nodes.keys()) {
      const m = new RegExp(`^${prefix}(\\d+)$`).exec(name);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }

  /**
   * `docker swarm join`, retried while the swarm is between leaders (as a person would retry):
   * a refused join leaves the node outside the swarm, so trying again is safe.
   */
  private async join(name: string, remote: string, token: string): Promise<void> {
    const n = this.node(name);
    const deadline = Date.now() + 20_000;
    for (let retried = false; ; retried = true) {
      try {
        await this.client(name).swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: n.spec.addr, RemoteAddrs: [remote], JoinToken: token });
        if (retried) await this.removeOrphansOf(name, remote);
        return;
      } catch (e) {
        const transient = /lost leader status|does not have a leader|deadline exceeded|Unavailable/.test(String(e));
        if (!transient || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * A join that failed after the CA had issued its certificate (the leader lost its leadership
   * before it answered, say) leaves a node object that no process will ever use: the retry made a
   * new key and got a new node ID. A person would see it Down in `docker node ls` and remove it; so
   * does the launcher, once the retry has succeeded (demoting it first if it was to be a manager).
   * Best effort: what cannot be removed stays listed, as it would on a real swarm.
   */
  private async removeOrphansOf(name: string, remote: string): Promise<void> {
    const manager = [...this.nodes.values()].find((m) => `${m.spec.addr}:2377` === remote)?.spec.name;
    if (!manager) return;
    try {
      const self = (await this.client(name).info()).Swarm?.NodeID;
      if (!self) return;
      const api = this.client(manager, 5000);
      // Hostnames are unique in a lab: an entry with ours and another ID is not a live process.
      const orphans = (await api.nodeList()).filter((o) => o.Description?.Hostname === name && o.ID !== self);
      for (const orphan of orphans) {
        if (orphan.Spec?.Role === 'manager') await api.nodeUpdate(orphan.ID, orphan.Version?.Index ?? 0, { ...orphan.Spec, Role: 'worker' });
        await waitFor(() => api.nodeRemove(orphan.ID, true).then(() => true, () => false), 10_000, `${orphan.ID} removed`);
        this.log({ kind: 'process', action: 'orphan removed', node: name, nodeId: orphan.ID });
      }
    } catch {
      /* best effort */
    }
  }

  // ---- lookup ------------------------------------------------------------------------------------

  /** A node by name or alias (m1 → manager1, w2 → worker2). */
  node(ref: string): NodeProcess {
    const name = resolveAlias(ref);
    const n = this.nodes.get(name);
    if (!n) throw new Error(`unknown node "${ref}" (nodes: ${[...this.nodes.keys()].join(', ')})`);
    return n;
  }

  client(ref: string, timeoutMs = 30_000): DockerClient {
    const n = this.node(ref);
    return new DockerClient({ host: n.spec.addr, port: 2375, timeoutMs });
  }

  list(): NodeView[] {
    return [...this.nodes.values()].map((n) => ({ name: n.spec.name, role: n.spec.role, addr: n.spec.addr, pid: n.pid, state: n.state }));
  }

  /**
   * The current leader's name, asking the running managers: the nodes started as managers and
   * those the swarm last listed as managers (promoted workers) first, then — only when none of
   * them leads — every other node. Asking every node on each poll would cost a hundred round trips
   * on a big cluster.
   */
  async leader(): Promise<string | undefined> {
    const running = [...this.nodes.values()].filter((n) => n.state === 'running' && this.control.connected(n.spec.name));
    const isManager = (n: NodeProcess) => n.spec.role === 'manager' || this.listedManagers.has(n.spec.name);
    return (await this.leaderAmong(running.filter(isManager))) ?? (await this.leaderAmong(running.filter((n) => !isManager(n))));
  }

  /** Hostnames `docker node ls` last showed with a manager status (kept by allReady). */
  private listedManagers = new Set<string>();

  private async leaderAmong(nodes: NodeProcess[]): Promise<string | undefined> {
    const terms: { name: string; term: number; leader: string }[] = [];
    await Promise.all(
      nodes.map(async (n) => {
        try {
          const st = (await this.control.request(n.spec.name, 'status', {}, 2000)) as { nodeId: string; raft?: { isLeader: boolean; term: number } };
          if (st.raft?.isLeader) terms.push({ name: n.spec.name, term: st.raft.term, leader: st.nodeId });
        } catch {
          /* unreachable node: not the leader we can use */
        }
      }),
    );
    terms.sort((a, b) => b.term - a.term);
    return terms[0]?.name;
  }

  /** Resolves a target: names, aliases, leader, managers, workers, minority, majority, random. */
  async resolve(target: Target): Promise<string[]> {
    const managers = [...this.nodes.values()].filter((n) => n.spec.role === 'manager').map((n) => n.spec.name);
    switch (target) {
      case 'leader': {
        const l = await this.leader();
        if (!l) throw new Error('there is no leader right now');
        return [l];
      }
      case 'managers':
        return managers;
      case 'workers':
        return [...this.nodes.values()].filter((n) => n.spec.role === 'worker').map((n) => n.spec.name);
      case 'minority':
        return managers.slice(0, Math.floor((managers.length - 1) / 2));
      case 'majority':
        return managers.slice(0, Math.floor(managers.length / 2) + 1);
      case 'random': {
        const all = [...this.nodes.keys()];
        return [all[Math.floor(Math.random() * all.length)]];
      }
      default:
        return target.split(',').map((t) => this.node(t.trim()).spec.name);
    }
  }

  // ---- process faults ------------------------------------------------------------------------------

  async kill(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    await Promise.all(names.map((n) => this.node(n).kill()));
    this.saveRecord();
    this.log({ kind: 'fault', fault: 'kill', nodes: names });
    return names;
  }

  async stop(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    await Promise.all(names.map((n) => this.node(n).stop()));
    this.saveRecord();
    this.log({ kind: 'fault', fault: 'stop', nodes: names });
    return names;
  }

  async start(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    try {
      await Promise.all(
        names.map(async (n) => {
          await this.node(n).start();
          await this.control.waitConnected(n);
          await this.applyRules(n);
        }),
      );
    } finally {
      this.saveRecord();
    }
    this.log({ kind: 'process', action: 'start', nodes: names });
    return names;
  }

  async restart(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    await Promise.all(names.map((n) => this.node(n).stop()));
    await this.start(names.join(','));
    this.log({ kind: 'fault', fault: 'restart', nodes: names });
    return names;
  }

  async pause(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    names.forEach((n) => this.node(n).pause());
    this.log({ kind: 'fault', fault: 'pause', nodes: names });
    return names;
  }

  async resume(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    names.forEach((n) => this.node(n).resume());
    this.log({ kind: 'heal', fault: 'pause', nodes: names });
    return names;
  }

  // ---- network faults ------------------------------------------------------------------------------

  private faultNodes() {
    return [...this.nodes.values()].map((n) => ({ name: n.spec.name, addr: n.spec.addr }));
  }

  /** Replaces the NIC rules of every node with `plan` merged into the current ones. */
  private async install(plan: RulePlan, fault: Record<string, unknown>): Promise<void> {
    this.rules = mergePlans(this.rules, plan);
    await Promise.all([...this.nodes.keys()].map((n) => this.applyRules(n)));
    this.log({ kind: 'fault', ...fault });
  }

  private async applyRules(name: string): Promise<void> {
    const n = this.nodes.get(name)!;
    if (n.state !== 'running' || !this.control.connected(name)) return;
    const rules: NicRules = this.rules.get(name) ?? {};
    await this.control.request(name, 'nic.setRules', { rules });
  }

  async partition(...groups: string[][]): Promise<void> {
    const resolved = groups.map((g) => g.map((x) => this.node(x).spec.name));
    await this.install(partitionPlan(this.faultNodes(), resolved), { fault: 'partition', groups: resolved });
  }

  async isolate(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    await this.install(partitionPlan(this.faultNodes(), [names]), { fault: 'partition', isolate: names });
    return names;
  }

  async partitionHalves(): Promise<string[][]> {
    const g = halves([...this.nodes.keys()]);
    await this.install(partitionPlan(this.faultNodes(), g), { fault: 'partition', halves: g });
    return g;
  }

  async partitionMajoritiesRing(): Promise<void> {
    await this.install(connectivityPlan(this.faultNodes(), majoritiesRing([...this.nodes.keys()])), { fault: 'partition', shape: 'majorities-ring' });
  }

  async partitionBridge(): Promise<void> {
    await this.install(connectivityPlan(this.faultNodes(), bridge([...this.nodes.keys()])), { fault: 'partition', shape: 'bridge' });
  }

  /** Cuts the Engine API of these nodes from its users until `heal` (see the NIC's blockApi rule). */
  async cutApi(target: Target): Promise<string[]> {
    const names = await this.resolve(target);
    await this.install(apiCutPlan(names), { fault: 'api', nodes: names });
    return names;
  }

  async block(from: string, to: string, oneWay = false): Promise<void> {
    const a = this.node(from);
    const b = this.node(to);
    await this.install(blockPlan({ name: a.spec.name, addr: a.spec.addr }, { name: b.spec.name, addr: b.spec.addr }, oneWay), {
      fault: 'block',
      from: a.spec.name,
      to: b.spec.name,
      oneWay,
    });
  }

  async link(a: string, b: string, shape: LinkShape, oneWay = false): Promise<void> {
    const x = this.node(a);
    const y = this.node(b);
    await this.install(linkPlan({ name: x.spec.name, addr: x.spec.addr }, { name: y.spec.name, addr: y.spec.addr }, shape, oneWay), {
      fault: 'link',
      a: x.spec.name,
      b: y.spec.name,
      ...shape,
      oneWay,
    });
  }

  /** Lifts every network fault and resumes paused nodes. */
  async heal(): Promise<void> {
    this.rules = new Map();
    for (const n of this.nodes.values()) if (n.state === 'paused') n.resume();
    await Promise.all([...this.nodes.keys()].map((n) => this.applyRules(n).catch(() => undefined)));
    this.log({ kind: 'heal' });
  }

  async clock(target: Target, offsetMs: number): Promise<void> {
    const names = await this.resolve(target);
    await Promise.all(names.map((n) => this.control.request(n, 'clock.setOffset', { ms: offsetMs })));
    this.log({ kind: 'fault', fault: 'clock', nodes: names, offsetMs });
  }

  async nicStats(name: string): Promise<unknown> {
    return this.control.request(this.node(name).spec.name, 'nic.stats');
  }

  async status(name: string): Promise<Record<string, unknown>> {
    return (await this.control.request(this.node(name).spec.name, 'status')) as Record<string, unknown>;
  }

  // ---- waiting -----------------------------------------------------------------------------------

  /** Polls `condition` until it holds (returns truthy) or `timeoutMs` passes. */
  waitFor<T>(condition: Condition<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return waitFor(condition, timeoutMs, what);
  }

  /** Every running node Ready in `docker node ls` on the leader, with exactly one leader. */
  async allReady(): Promise<boolean> {
    return (await this.notReady()) === undefined;
  }

  /** What keeps allReady() false (no leader, or which nodes are not Ready and what they are), else undefined. */
  async notReady(): Promise<string | undefined> {
    const leader = await this.leader();
    if (!leader) return 'no manager reports a leader';
    const nodes = await this.client(leader, 3000).nodeList();
    this.listedManagers = new Set(nodes.filter((n) => n.ManagerStatus).map((n) => n.Description?.Hostname ?? ''));
    const leaders = nodes.filter((n) => n.ManagerStatus?.Leader).length;
    if (leaders !== 1) return `${leader} lists ${leaders} leaders`;
    const state = new Map(nodes.map((n) => [n.Description?.Hostname, n.Status?.State ?? 'unknown']));
    const waiting = [...this.nodes.values()].filter((n) => n.state === 'running' && state.get(n.spec.name) !== 'ready');
    if (waiting.length === 0) return undefined;
    const shown = waiting.slice(0, 5).map((n) => `${n.spec.name} (${state.get(n.spec.name) ?? 'not listed'})`);
    return `not Ready: ${shown.join(', ')}${waiting.length > 5 ? ` and ${waiting.length - 5} more` : ''}`;
  }

  /** Waits up to 30 s for allReady(); the error says what was still missing. */
  private async waitUntilAllReady(): Promise<void> {
    await this.waitFor(
      async () => {
        const why = await this.notReady();
        if (why) throw new Error(why);
        return true;
      },
      30_000,
      'every node Ready with a leader',
    );
  }

  // ---- events and teardown -----------------------------------------------------------------------

  log(ev: Omit<LabEvent, 'time'>): void {
    try {
      appendFileSync(this.eventsFile, JSON.stringify({ time: new Date().toISOString(), ...ev }) + '\n');
    } catch {
      /* the cluster directory is gone (down --all raced us) */
    }
  }

  /** Stops every node process (SIGTERM, then SIGKILL) and the control server. */
  async down(): Promise<void> {
    this.closing = true;
    // A start in flight spawns its process any moment now: let it, then stop it with the rest
    // (bounded, so a node that never answers cannot hold `down` forever).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.starting]), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    await Promise.all([...this.nodes.values()].map((n) => n.stop(3000).catch(() => n.kill())));
    await this.control.close();
    releaseBlock(this.record.addressBlock);
    this.log({ kind: 'process', action: 'down' });
    try {
      this.saveRecord();
    } catch {
      /* directory removed */
    }
  }

  /** Every pid the Lab started (for tests that check nothing is left behind). */
  pids(): number[] {
    return [...this.nodes.values()].map((n) => n.pid).filter((p): p is number => p !== undefined);
  }

  /**
   * down(), then SIGKILL every process group it started, whatever down() did or threw: what a
   * test's afterAll calls so that no node outlives it, even after a failure.
   */
  async downForSure(): Promise<void> {
    const pids = this.pids();
    await this.down().catch(() => undefined);
    pids.forEach(killGroup);
  }
}

export function resolveAlias(ref: string): string {
  const m = /^([mw])(\d+)$/.exec(ref);
  if (m) return `${m[1] === 'm' ? 'manager' : 'worker'}${m[2]}`;
  return ALIASES[ref] ?? ref;
}

/** The address of the index-th node in a cluster's block: 127.B.x.y, from .2 up. */
export function nodeAddress(block: number, index: number): string {
  const n = index + 2;
  return `127.${block}.${Math.floor(n / 250)}.${n % 250}`;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
