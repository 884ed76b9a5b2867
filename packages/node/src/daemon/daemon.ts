// The emulated dockerd's swarm side (moby daemon/cluster): a node starts outside any swarm and
// enters one only through init/join; it then runs an agent always and a manager when its role
// says so. Everything it needs to come back as the same node lives in its state directory.

// Only pki's light part is imported statically (a joiner's key, CSR and token check need no X.509
// library). The CA's certificate work (@peculiar/x509) and everything a manager runs (Raft,
// storage, store, control API) load on first use: a worker never loads them, and every node
// starts with little to compile.
import {
  checkRemoteCA,
  createNodeKeyAndCSR,
  generateDataEncryptionKey,
  generateJoinToken,
  newIdentityId,
  parseJoinToken,
  parseUnlockKey,
  renewalTime,
} from '@swarmlab/pki/light';
import { dial, Gossip, Nic, SecurityConfig, TransportServer, type ServiceTable } from '@swarmlab/transport';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { EmulatedClock } from '../clock.js';
import { INVALID_KEY_STRING, INVALID_UNLOCK_KEY, LEAVE_LOCKED, leaveAsManager, SWARM_NOT_LOCKED } from '@swarmlab/api';
import { ApiError, DAEMON, daemon } from '../errors.js';
import { specTimingScale, type TimingProfile } from '../profile.js';
import { Agent } from '../agent/session.js';
import { Worker, type ContainerDetails } from '../agent/worker.js';
import type { StandaloneContainers } from '../agent/standalone.js';
import type { Container, EngineEvent, PulledImage } from '../agent/exec/index.js';
import { msToNanos } from '../manager/events/message.js';
import type { VolumeStore } from '../agent/exec/volumes.js';
import type { SessionUpdate } from '../manager/dispatcher/dispatcher.js';
import { NodeNetwork } from '../agent/network.js';
import { ApiGate } from '../engine/api-gate.js';
import type { Manager } from '../manager/manager.js';
import type { RaftMember } from '../manager/raft/members.js';
import type { RaftNode } from '../manager/raft/raft-node.js';
import { ENGINE_VERSION, type ClusterObject, type NodeObject, type Role, type SwarmSpec } from '../manager/objects.js';
import type { MemoryStore } from '../store/memory.js';
import { LogPublisher } from '../agent/log-publisher.js';
import { ClusterEventLog } from '../manager/events/event-log.js';
import { ManagerLinks } from './forwarder.js';
import { StateDir, type DockerState, type KnownManager, type NodeCredentials } from './state-dir.js';
import { fillSwarmSpec } from './defaults.js';
import { certInfo, issuedBy } from './cert-info.js';
import type { Entry, ManagerContext } from './manager-side.js';

const loadCertificates = () => import('./certificates.js');
const loadManagerSide = () => import('./manager-side.js');

const GOSSIP_PORT = 7946;

export type LocalNodeState = 'inactive' | 'pending' | 'active' | 'locked' | 'error';

export interface DaemonOptions {
  addr: string;
  stateDir: string;
  hostname: string;
  clock: EmulatedClock;
  profile: TimingProfile;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Port for cluster management (2377 on a real node). */
  swarmPort?: number;
}

export interface InitRequest {
  ListenAddr?: string;
  AdvertiseAddr?: string;
  DataPathAddr?: string;
  DataPathPort?: number;
  ForceNewCluster?: boolean;
  Spec?: Partial<SwarmSpec>;
  AutoLockManagers?: boolean;
  Availability?: string;
  DefaultAddrPool?: string[] | null;
  SubnetSize?: number;
}

export interface JoinRequest {
  ListenAddr?: string;
  AdvertiseAddr?: string;
  DataPathAddr?: string;
  RemoteAddrs?: string[];
  JoinToken?: string;
  Availability?: string;
}

export class Daemon {
  readonly nic: Nic;
  readonly security: SecurityConfig;
  readonly dir: StateDir;
  state: LocalNodeState = 'inactive';
  lastError = '';
  nodeId = '';
  clusterId = '';
  role: Role = 'worker';
  private server: TransportServer | undefined;
  private links: ManagerLinks;
  private manager: Manager | undefined;
  private raft: RaftNode | undefined;
  private store: MemoryStore | undefined;
  private agent: Agent | undefined;
  private managers: KnownManager[] = [];
  /** This node's current credentials (the key file on disk holds them, maybe encrypted). */
  private creds: NodeCredentials | undefined;
  /** The unlock key the key file is encrypted with (autolock), if any. */
  private kek: Buffer | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private transition: Promise<unknown> = Promise.resolve();
  private readonly port: number;
  /** Leadership and state changes, for the launcher's control channel. */
  readonly events = new EventEmitter();
  /** Events for GET /events: the swarm's, fed by this node's store while it is a manager, and this engine's own. */
  readonly engineEvents = new ClusterEventLog();
  /** Holds the user's traffic (Engine API, published ports) while the NIC's `blockApi` rule does. */
  readonly apiGate = new ApiGate();

  constructor(readonly o: DaemonOptions) {
    this.port = o.swarmPort ?? 2377;
    this.nic = new Nic({ address: o.addr });
    this.nic.on('rules', (rules) => this.apiGate.set(rules.blockApi === true));
    this.security = new SecurityConfig({ now: () => o.clock.date() });
    this.dir = new StateDir(o.stateDir);
    this.links = new ManagerLinks(this.nic, this.security, () => this.services());
  }

  get addr(): string {
    return this.o.addr;
  }

  private get advertise(): string {
    return `${this.o.addr}:${this.port}`;
  }

  /** Serializes init/join/leave/role changes: one membership transition at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.transition.then(fn, fn);
    this.transition = next.catch(() => undefined);
    return next;
  }

  /** Resumes the swarm this state directory belongs to, if any. */
  async start(): Promise<void> {
    await this.dir.ensure();
    if (!this.dir.hasSwarm()) return;
    if (await this.dir.isLocked()) {
      this.state = 'locked';
      return;
    }
    await this.serial(() => this.resume());
  }

  private async resume(kek?: Buffer): Promise<void> {
    const creds = await this.dir.readCredentials(kek);
    const cert = certInfo(creds.certPem);
    this.managers = await this.dir.readManagers();
    this.kek = kek;
    await this.activate(creds.certPem, creds.keyPem, creds.rootCAPem, cert.role, creds.dek);
  }

  /** `POST /swarm/unlock`: the unlock key decrypts the key file and the node resumes. */
  async unlock(key: unknown): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'locked') throw daemon(SWARM_NOT_LOCKED);
      let kek: Buffer;
      try {
        kek = parseUnlockKey(String(key ?? ''));
      } catch {
        throw daemon(INVALID_KEY_STRING);
      }
      try {
        await this.dir.readCredentials(kek);
      } catch {
        throw daemon(INVALID_UNLOCK_KEY);
      }
      await this.resume(kek);
    });
  }

  // ---- init ------------------------------------------------------------------------------------

  async init(req: InitRequest): Promise<string> {
    return this.serial(async () => {
      if (req.ForceNewCluster && this.state === 'active') return this.forceNewCluster();
      if (this.state !== 'inactive') throw DAEMON.alreadyInSwarm();
      this.checkAdvertise(req.AdvertiseAddr);
      const spec = fillSwarmSpec(req.Spec, req.AutoLockManagers);
      const pool = req.DefaultAddrPool && req.DefaultAddrPool.length > 0 ? req.DefaultAddrPool : null;
      const subnetSize = req.SubnetSize || 24;
      const dataPathPort = req.DataPathPort || 4789;
      if (dataPathPort < 1024 || dataPathPort > 49151) {
        throw new ApiError(400, `Datapath port number is not in valid range (1024-49151) : ${dataPathPort}`);
      }
      const availability = req.Availability || 'active';
      if (!['active', 'pause', 'drain'].includes(availability)) throw new ApiError(400, `invalid availability: ${availability}`);

      this.state = 'pending';
      try {
        const { createRootCA, issueNodeCertificate, tlsInfo } = await loadCertificates();
        const { newNodeObject, newRaftId, bootstrapRaft, newKeyRing, commit, defaultIngressNetwork } = await loadManagerSide();
        const ca = await createRootCA({ now: this.o.clock.date() });
        const clusterId = newIdentityId();
        const nodeId = newIdentityId();
        const { keyPem, csrPem } = await createNodeKeyAndCSR();
        const issued = await issueNodeCertificate(ca, csrPem, {
          nodeId,
          role: 'manager',
          clusterId,
          expiryMs: spec.CAConfig.NodeCertExpiry ? spec.CAConfig.NodeCertExpiry / 1e6 : undefined,
          now: this.o.clock.date(),
        });
        const dek = generateDataEncryptionKey();
        await this.dir.writeCredentials({ certPem: issued.certPem, keyPem, rootCAPem: ca.certPem, dek });
        await this.dir.writeDockerState(this.dockerState({ DefaultAddressPool: pool, SubnetSize: subnetSize, DataPathPort: dataPathPort }));
        this.managers = [{ node_id: nodeId, addr: this.advertise }];
        await this.dir.writeManagers(this.managers);
        // Bootstrap a one-member Raft cluster: the membership is the log's first entry.
        const raftId = newRaftId([]);
        await bootstrapRaft(this.dir, dek, { raftId, nodeId, addr: this.advertise });
        await this.activate(issued.certPem, keyPem, ca.certPem, 'manager', dek);
        const ctx = this.manager!.ctx;
        await this.waitLeader();
        const now = this.o.clock.now();
        const cluster: ClusterObject = {
          ID: clusterId,
          Version: { Index: 0 },
          CreatedAt: this.o.clock.iso(),
          UpdatedAt: this.o.clock.iso(),
          Spec: spec,
          TLSInfo: tlsInfo(ca.certPem),
          RootRotationInProgress: false,
          DefaultAddrPool: pool,
          SubnetSize: subnetSize,
          DataPathPort: dataPathPort,
          JoinTokens: { Worker: generateJoinToken(ca.certPem), Manager: generateJoinToken(ca.certPem) },
          secrets: {
            rootCAKeyPem: ca.keyPem,
            ...(spec.EncryptionConfig.AutoLockManagers ? { unlockKey: generateDataEncryptionKey().toString('base64') } : {}),
            gossipKeys: newKeyRing(),
            lastKeyRotation: now,
            blacklist: [],
          },
        };
        // The cluster object must exist before the node object (its TLSInfo comes from it).
        await commit(ctx, [{ action: 'create', table: 'cluster', object: cluster }]);
        const node = newNodeObject(ctx, nodeId, 'manager', availability as NodeObject['Spec']['Availability'], this.description());
        node.Status = { State: 'ready', Addr: this.o.addr };
        node.certExpiresAt = issued.notAfter.getTime();
        await commit(ctx, [
          { action: 'create', table: 'node', object: node },
          { action: 'create', table: 'network', object: defaultIngressNetwork(this.o.clock.iso(), pool, subnetSize) },
        ]);
        return nodeId;
      } catch (e) {
        await this.teardown();
        await this.dir.clear();
        this.state = 'inactive';
        throw e;
      }
    });
  }

  private checkAdvertise(advertise: string | undefined): void {
    if (!advertise) return;
    const host = advertise.replace(/:\d+$/, '');
    if (host !== this.o.addr && host !== '0.0.0.0' && !/^[a-z]/i.test(host)) {
      // An address this node does not own cannot be advertised (moby resolves and checks it).
      throw new ApiError(400, `must specify a listening address because the address to advertise is not recognized as a system address, and a system's IP address to use could not be uniquely identified`);
    }
  }

  private dockerState(extra: Partial<DockerState> = {}): DockerState {
    return {
      LocalAddr: this.o.addr,
      RemoteAddr: '',
      ListenAddr: `0.0.0.0:${this.port}`,
      AdvertiseAddr: this.advertise,
      DataPathAddr: '',
      DefaultAddressPool: null,
      SubnetSize: 24,
      DataPathPort: 4789,
      JoinInProgress: false,
      ...extra,
    };
  }

  private description() {
    return { hostname: this.o.hostname, addr: this.o.addr, os: 'linux', arch: 'x86_64', nanoCPUs: 2_000_000_000, memoryBytes: 2 * 1024 ** 3 };
  }

  private async waitLeader(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.manager?.isLeader()) {
      if (Date.now() > deadline) throw new ApiError(500, 'timed out waiting for this manager to become leader');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  // ---- join ------------------------------------------------------------------------------------

  async join(req: JoinRequest): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'inactive') throw DAEMON.alreadyInSwarm();
      const remotes = req.RemoteAddrs ?? [];
      if (remotes.length === 0) throw new ApiError(400, 'at least 1 RemoteAddr is required to join');
      if (!req.JoinToken) throw new ApiError(400, 'invalid join token');
      let token;
      try {
        token = parseJoinToken(req.JoinToken);
      } catch (e) {
        throw new ApiError(400, `invalid join token: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.state = 'pending';
      try {
        const remote = remotes[0].includes(':') ? remotes[0] : `${remotes[0]}:2377`;
        const [host, port] = remote.split(':');
        // The one unauthenticated exchange: fetch the CA unverified, check it against the token.
        const anon = await dial({ nic: this.nic, host, port: Number(port), security: new SecurityConfig(), verifyServer: false, connectTimeoutMs: 5000 });
        let issued: { nodeId: string; role: Role; certPem: string; rootCAPem: string };
        const { keyPem, csrPem } = await createNodeKeyAndCSR();
        try {
          const rootCAPem = (await anon.request('ca', 'rootCA', null, { timeoutMs: 5000 })) as string;
          checkRemoteCA(rootCAPem, token);
          const reply = (await anon.request(
            'ca',
            'issue',
            { csr: csrPem, token: req.JoinToken, availability: req.Availability || 'active', description: this.description() },
            { timeoutMs: 20_000 },
          )) as { ok: boolean; value?: typeof issued; error?: { statusCode: number; message: string } };
          if (!reply.ok || !reply.value) throw new ApiError(reply.error?.statusCode ?? 500, reply.error?.message ?? 'join refused');
          issued = reply.value;
        } finally {
          anon.close('join exchange done');
        }
        const dek = issued.role === 'manager' ? generateDataEncryptionKey() : undefined;
        await this.dir.writeCredentials({ certPem: issued.certPem, keyPem, rootCAPem: issued.rootCAPem, dek });
        await this.dir.writeDockerState(this.dockerState({ RemoteAddr: remote }));
        this.managers = [{ node_id: '', addr: remote }];
        await this.dir.writeManagers(this.managers);
        await this.activate(issued.certPem, keyPem, issued.rootCAPem, issued.role, dek);
      } catch (e) {
        await this.teardown();
        await this.dir.clear();
        this.state = 'inactive';
        if (e instanceof ApiError) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        if (msg.startsWith('remote CA does not match')) throw new ApiError(500, msg);
        throw new ApiError(500, msg);
      }
    });
  }

  // ---- activation --------------------------------------------------------------------------------

  /** Starts the swarm components for the credentials at hand. */
  private async activate(certPem: string, keyPem: string, rootCAPem: string, role: Role, dek?: Buffer): Promise<void> {
    const cert = certInfo(certPem);
    this.nodeId = cert.nodeId;
    this.clusterId = cert.clusterId;
    this.role = role;
    this.creds = { certPem, keyPem, rootCAPem, dek };
    this.scheduleRenewal(cert.notBefore, cert.notAfter);
    this.security.setCredentials(certPem, keyPem);
    this.security.setRoots([rootCAPem]);
    this.security.clusterId = cert.clusterId;
    if (role === 'manager') await this.startManager(dek);
    this.startAgent();
    this.state = 'active';
    this.o.log('info', 'swarm: node active', { nodeId: this.nodeId, role });
  }

  private async startManager(dek: Buffer | undefined): Promise<void> {
    if (!dek) throw new Error('a manager needs a raft data encryption key');
    const { RaftDiskStorage, MemoryStore, RaftNode, Manager, Reservations, raftTickMs } = await loadManagerSide();
    const storage = await RaftDiskStorage.open(this.dir.root, dek);
    const store = new MemoryStore();
    const clock = this.o.clock;
    let raftId = await this.dir.readRaftId();
    let initialMembers: RaftMember[] = [];
    if (raftId === undefined) {
      // A manager that has not joined Raft yet (fresh join or promotion).
      const joined = (await this.joinRaft()) as { raftId: number; members: RaftMember[] };
      raftId = joined.raftId;
      initialMembers = joined.members;
      await this.dir.writeRaftId(raftId);
    }
    const raft = new RaftNode({
      raftId,
      nodeId: this.nodeId,
      addr: this.advertise,
      storage,
      store,
      clock,
      initialMembers,
      profile: this.o.profile,
      transport: {
        send: (to, messages) => {
          try {
            // Written at once: a leader's appends and a follower's acknowledgement are on the
            // path of every write, and the Ready loop goes on to apply entries before it yields.
            this.links.get(to.addr).send('raft', { from: raftId, addr: this.advertise, messages }, { flush: true });
          } catch {
            raft.node.reportUnreachable(to.raftId);
          }
        },
      },
      log: this.o.log,
    });
    const ctx: ManagerContext = { store, raft, clock, profile: this.o.profile, nodeId: this.nodeId, log: this.o.log, reservations: new Reservations() };
    this.store = store;
    this.raft = raft;
    this.engineEvents.watch(store, clock, storage.memory.hardStateNow().commit);
    this.manager = new Manager(ctx, {
      forward: (leaderAddr, op, args) =>
        this.links.call(
          leaderAddr,
          'control',
          'call',
          { op, args },
          clock.toReal(this.o.profile.requestTimeoutMs),
          // An election timeout: long enough for a live link to come up, short enough to notice a dead leader.
          clock.toReal(this.o.profile.raftTickMs * this.o.profile.electionTick),
        ),
    });
    raft.on('members', (members: RaftMember[]) => {
      this.links.retain(members.filter((m) => m.raftId !== raftId).map((m) => m.addr));
    });
    raft.on('removed', () => void this.serial(() => this.demoted()));
    raft.on('leadership', ({ isLeader, lead }: { isLeader: boolean; lead: number }) => {
      const st = raft.status();
      this.events.emit('event', {
        event: 'leader',
        isLeader,
        term: st.term,
        lead,
        leaderNodeId: raft.members.get(lead)?.nodeId ?? '',
      });
    });
    raft.on('fatal', (e) => {
      this.state = 'error';
      this.lastError = String(e);
    });
    // A bigger swarm ticks slower (manager/raft/tick.ts); every manager counts the same store.
    const fitTickToSwarm = () => raft.setTickMs(raftTickMs(this.o.profile, store.count('node'), clock.scale));
    fitTickToSwarm();
    store.on('change', (ev: { table: string }) => {
      if (ev.table === 'node') fitTickToSwarm();
      if (ev.table === 'cluster') {
        this.applyClusterToSecurity();
        // docker swarm update --snapshot-interval: every manager snapshots at the cluster's interval.
        const interval = this.store?.list<ClusterObject>('cluster')[0]?.Spec.Raft.SnapshotInterval;
        if (interval) raft.setSnapshotInterval(interval);
      }
    });
    this.manager.start();
    await this.listen();
  }

  /** Asks the leader (through a known manager) to add us to Raft. */
  private async joinRaft(): Promise<unknown> {
    const deadline = Date.now() + 20_000;
    let lastErr: unknown;
    while (Date.now() < deadline) {
      for (const m of this.managers) {
        if (m.addr === this.advertise) continue;
        try {
          return await this.links.call(m.addr, 'raftMembership', 'join', { addr: this.advertise }, 10_000);
        } catch (e) {
          lastErr = e;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw lastErr instanceof Error ? lastErr : new ApiError(500, 'could not join the raft cluster');
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    this.server = new TransportServer({ nic: this.nic, port: this.port, security: this.security, services: this.services() });
    await this.server.listen();
  }

  private services(): ServiceTable {
    return this.manager ? this.manager.services() : {};
  }

  private applyClusterToSecurity(): void {
    const c = this.store?.list<ClusterObject>('cluster')[0];
    if (!c) return;
    this.security.setDenyList(c.secrets.blacklist.map((b) => b.nodeId));
    // Autolock: a manager keeps its key file encrypted with the cluster's current unlock key.
    const kek = c.secrets.unlockKey ? Buffer.from(c.secrets.unlockKey, 'base64') : undefined;
    const same = kek && this.kek ? kek.equals(this.kek) : kek === this.kek;
    if (!same && this.creds) {
      this.kek = kek;
      const creds = this.creds;
      void this.dir.writeCredentials(creds, kek).catch((e) => this.o.log('error', 'autolock: could not rewrite the key file', { err: String(e) }));
    }
  }

  /** Renews the certificate at a random point between 50 % and 80 % of its life (SwarmKit). */
  private scheduleRenewal(notBefore: Date, notAfter: Date): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    const at = renewalTime(notBefore, notAfter).getTime();
    const check = () => {
      if (this.state !== 'active') return;
      if (this.o.clock.now() < at) {
        // Timers cannot wait months: look again later (at most a minute of real time).
        this.renewTimer = setTimeout(check, Math.min(60_000, Math.max(10, this.o.clock.toReal(at - this.o.clock.now()))));
        return;
      }
      void this.serial(() => this.renewCertificate()).catch((e) => {
        this.o.log('warn', 'swarm: certificate renewal failed, retrying', { err: String(e) });
        this.renewTimer = setTimeout(check, Math.max(10, this.o.clock.toReal(5000)));
      });
    };
    this.renewTimer = setTimeout(check, 0);
  }

  /** Asks a manager's CA for a new certificate for our current key role; installs it. */
  private async requestCertificate(): Promise<{ certPem: string; keyPem: string; rootCAPem: string; role: Role }> {
    const leader = this.agent?.leaderAddr ?? this.managers.find((m) => m.node_id !== this.nodeId)?.addr ?? this.managers[0]?.addr;
    if (!leader) throw new Error('no manager known');
    const { keyPem, csrPem } = await createNodeKeyAndCSR();
    const [host, port] = leader.split(':');
    const link = await dial({ nic: this.nic, host, port: Number(port), security: this.security });
    try {
      const reply = (await link.request('ca', 'renew', { csr: csrPem }, { timeoutMs: 10_000 })) as {
        ok: boolean;
        value?: { certPem: string; rootCAPem: string; role: Role };
        error?: { message: string };
      };
      if (!reply.ok || !reply.value) throw new Error(reply.error?.message ?? 'renewal refused');
      return { ...reply.value, keyPem };
    } finally {
      link.close('renewed');
    }
  }

  private async installCertificate(c: { certPem: string; keyPem: string; rootCAPem: string }, dek: Buffer | undefined): Promise<void> {
    this.creds = { certPem: c.certPem, keyPem: c.keyPem, rootCAPem: c.rootCAPem, dek };
    await this.dir.writeCredentials(this.creds, this.kek);
    this.security.setCredentials(c.certPem, c.keyPem);
    this.security.setRoots([c.rootCAPem]);
    const cert = certInfo(c.certPem);
    this.scheduleRenewal(cert.notBefore, cert.notAfter);
  }

  private async renewCertificate(): Promise<void> {
    const c = await this.requestCertificate();
    if (c.role !== this.role) return; // a role change is handled by promoted()/demoted()
    await this.installCertificate(c, this.creds?.dek);
    this.o.log('info', 'swarm: certificate renewed', { nodeId: this.nodeId });
  }

  private worker: Worker | undefined;
  /** The routing mesh, service discovery and the data path (while in a swarm). */
  private network: NodeNetwork | undefined;

  private startAgent(): void {
    const network = new NodeNetwork({
      nic: this.nic,
      security: this.security,
      nodeId: () => this.nodeId,
      nodeAddr: this.o.addr,
      gate: this.apiGate,
      localContainer: (taskId) => this.worker?.runningContainerAddress(taskId),
      log: this.o.log,
    });
    this.network = network;
    this.worker = new Worker({
      nodeId: () => this.nodeId,
      nodeHostname: this.o.hostname,
      nodeAddr: this.o.addr,
      rootDir: this.dir.worker,
      clock: this.o.clock,
      log: this.o.log,
      report: (updates) => this.agent?.reportStatus(updates),
      timingScale: this.timingScale,
      network,
      onEvent: (ev) => this.publishLocalEvent(ev),
      resources: {
        attachNetwork: (target, containerId, aliases) => this.sessionCall('attachNetwork', { target, containerId, aliases }),
        detachNetwork: (attachmentId) => this.sessionCall('detachNetwork', { attachmentId }),
      },
    });
    this.agent = new Agent({
      nic: this.nic,
      security: this.security,
      clock: this.o.clock,
      profile: this.o.profile,
      addr: this.o.addr,
      managers: () => this.managers.map((m) => m.addr),
      onUpdate: (u) => this.onSessionUpdate(u),
      log: this.o.log,
      logs: new LogPublisher((taskId) => this.worker?.containers().find((c) => c.config.taskId === taskId)),
    });
    this.agent.start();
  }

  private sessionCall<T>(method: string, body: unknown): Promise<T> {
    if (!this.agent) return Promise.reject(new Error('this node has no session with the swarm'));
    return this.agent.call<T>(method, body);
  }

  /** The profile's ratio to SwarmKit's timings (1 for `docker`, smaller for `fast`): container timings scale with it. */
  get timingScale(): number {
    return specTimingScale(this.o.profile);
  }

  /** This node's task containers (docker ps, docker exec). */
  containers(): Container[] {
    return this.worker?.containers() ?? [];
  }

  /** This engine's own event (docker events, scope local): its containers, images, volumes. */
  publishLocalEvent(ev: EngineEvent): void {
    this.engineEvents.publish({ Type: ev.type, Action: ev.action, Actor: { ID: ev.id, Attributes: ev.attributes }, scope: 'local', timeNano: msToNanos(this.o.clock.now()) });
  }

  /** The images this node pulled for its tasks (docker images). */
  images(): PulledImage[] {
    return this.worker?.images() ?? [];
  }

  removeImage(reference: string): void {
    this.worker?.removeImage(reference);
  }

  /** docker pull; undefined outside a swarm, where this emulated engine runs no containers. */
  pullImage(reference: string): Promise<boolean> | undefined {
    return this.worker?.pullImage(reference);
  }

  /** The node's local volumes; none outside a swarm. */
  volumeStore(): VolumeStore | undefined {
    return this.worker?.volumes;
  }

  /** What the engine shows of a task container besides itself: attachments, host ports, health. */
  /** The containers users run on this node with docker run (while it is in a swarm). */
  get standalone(): StandaloneContainers | undefined {
    return this.worker?.standalone;
  }

  containerDetails(containerId: string): ContainerDetails {
    return this.worker?.containerDetails(containerId) ?? { attachments: [], ports: [], health: undefined };
  }

  private onSessionUpdate(u: SessionUpdate): void {
    if (u.managers.length > 0) {
      const next = u.managers.map((m) => ({ node_id: m.nodeId, addr: m.addr }));
      if (JSON.stringify(next) !== JSON.stringify(this.managers)) {
        this.managers = next;
        void this.dir.writeManagers(next).catch(() => undefined);
      }
    }
    this.security.setDenyList(u.blacklist);
    this.followRootCA(u.rootCA, u.signingCA);
    this.gossipKeys = u.gossipKeys;
    void this.updateGossip();
    if (Array.isArray(u.tasks)) this.worker?.assign(u.tasks);
    if (u.network) this.network?.update(u.network);
    this.session = { node: u.node, tasks: Array.isArray(u.tasks) ? u.tasks : this.session.tasks };
    const role = (u.node as { role?: Role }).role;
    if (role === 'manager' && this.role === 'worker') void this.serial(() => this.promoted());
  }

  /** The signing root our certificate was last found issued by; a renewal for another is under way. */
  private signedBy: string | undefined;
  private renewingForRoot = false;

  /**
   * Root CA rotation, as the session tells it: trust the roots the leader trusts (both during a
   * rotation, the new one after), and renew once the root that signs now did not sign our
   * certificate.
   */
  private followRootCA(roots: string | undefined, signingCA: string | undefined): void {
    const creds = this.creds;
    if (!creds || !roots) return;
    if (roots !== creds.rootCAPem) {
      // After any renewal already under way, whose answer names the roots of its time.
      void this.serial(async () => {
        if (!this.creds || this.creds.rootCAPem === roots) return;
        this.creds = { ...this.creds, rootCAPem: roots };
        this.security.setRoots([roots]);
        await this.dir.writeCredentials(this.creds, this.kek);
      }).catch((e) => this.o.log('warn', 'ca: could not save the new trust roots', { err: String(e) }));
    }
    if (!signingCA || signingCA === this.signedBy || this.renewingForRoot) return;
    if (issuedBy(creds.certPem, signingCA)) {
      this.signedBy = signingCA;
      return;
    }
    this.renewingForRoot = true;
    this.o.log('info', 'ca: the swarm rotates its root CA: renewing the certificate');
    void this.serial(() => this.renewCertificate())
      .catch((e) => {
        this.o.log('warn', 'ca: renewal for the new root failed, retrying', { err: String(e) });
        setTimeout(() => this.followRootCA(this.creds?.rootCAPem, signingCA), Math.max(10, this.o.clock.toReal(1000))).unref();
      })
      .finally(() => (this.renewingForRoot = false));
  }

  /** What the dispatcher last said of this node and its tasks (its engine's networks come from it). */
  session: Pick<SessionUpdate, 'node'> & { tasks: NonNullable<SessionUpdate['tasks']> } = { node: {}, tasks: [] };

  /** The gossip key ring the leader handed us through the session. */
  gossipKeys: SessionUpdate['gossipKeys'] = [];
  private gossip: Gossip | undefined;
  private gossipStarting = false;

  /** Starts gossip on 7946 once we have keys; afterwards follows key rotations. */
  private async updateGossip(): Promise<void> {
    const keys = this.gossipKeys.map((k) => ({ key: Buffer.from(k.key, 'base64'), lamport: k.lamport }));
    if (keys.length === 0) return;
    if (this.gossip) {
      try {
        this.gossip.setKeys(keys);
      } catch (e) {
        this.o.log('warn', 'gossip: key ring refused', { err: String(e) });
      }
      return;
    }
    if (this.gossipStarting || this.state !== 'active') return;
    this.gossipStarting = true;
    try {
      const p = this.o.profile;
      const toReal = (ms: number) => Math.max(1, this.o.clock.toReal(ms));
      this.gossip = await Gossip.start({
        nic: this.nic,
        name: this.nodeId,
        port: GOSSIP_PORT,
        keys,
        meta: { hostname: this.o.hostname },
        timing: { probeIntervalMs: toReal(p.gossipProbeMs), probeTimeoutMs: toReal(p.gossipProbeTimeoutMs), gossipIntervalMs: toReal(p.gossipIntervalMs) },
      });
      const seeds = this.managers.map((m) => ({ address: m.addr.split(':')[0], port: GOSSIP_PORT })).filter((s) => s.address !== this.o.addr);
      if (seeds.length > 0) await this.gossip.join(seeds).catch(() => 0);
    } catch (e) {
      this.o.log('warn', 'gossip: could not start', { err: String(e) });
    } finally {
      this.gossipStarting = false;
    }
  }

  /** Gossip membership as this node sees it (for tests and the launcher). */
  gossipMembers(): { name: string; state: string }[] {
    return this.gossip?.members().map((m) => ({ name: m.name, state: m.state })) ?? [];
  }

  /** Our role became manager: renew the certificate as a manager and join Raft. */
  private async promoted(): Promise<void> {
    if (this.role === 'manager' || this.state !== 'active') return;
    const c = await this.requestCertificate();
    if (c.role !== 'manager') return;
    const dek = generateDataEncryptionKey();
    await rm(this.dir.raft, { recursive: true, force: true });
    await this.installCertificate(c, dek);
    this.role = 'manager';
    await this.startManager(dek);
    this.o.log('info', 'swarm: promoted to manager', { nodeId: this.nodeId });
  }

  /** Removed from Raft (demotion): stop the manager, wipe Raft, renew as a worker. */
  private async demoted(): Promise<void> {
    if (this.role !== 'manager') return;
    this.o.log('info', 'swarm: demoted to worker', { nodeId: this.nodeId });
    await this.stopManager();
    await rm(this.dir.raft, { recursive: true, force: true });
    this.role = 'worker';
    // A worker's key file is never encrypted (autolock is for managers).
    this.kek = undefined;
    // Renew until the leader has flipped our role and signs a worker certificate.
    let lastRole: Role | undefined;
    for (let attempt = 0; attempt < 50 && this.state === 'active'; attempt++) {
      try {
        const c = await this.requestCertificate();
        lastRole = c.role;
        if (c.role === 'worker') {
          await this.installCertificate(c, undefined);
          return;
        }
      } catch (e) {
        this.o.log('info', 'swarm: worker certificate renewal pending', { err: String(e) });
      }
      await new Promise((r) => this.o.clock.setTimeout(() => r(undefined), this.o.profile.dispatcherHeartbeatMs));
    }
    // Still a manager after all that: we were promoted again before we learned of the removal.
    // Join Raft afresh, as SwarmKit's superviseManager restarts the manager after its
    // roleChangeTimeout when the renewed certificate still says manager.
    if (lastRole === 'manager' && this.state === 'active') await this.promoted();
  }

  private async stopManager(): Promise<void> {
    const m = this.manager;
    this.manager = undefined;
    this.raft = undefined;
    this.store = undefined;
    if (this.server) {
      await this.server.close();
      this.server = undefined;
    }
    if (m) await m.stop();
  }

  private async teardown(): Promise<void> {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    const g = this.gossip;
    this.gossip = undefined;
    await g?.close().catch(() => undefined);
    this.agent?.stop();
    this.agent = undefined;
    await this.network?.close();
    this.network = undefined;
    await this.worker?.stopAll();
    this.worker = undefined;
    await this.stopManager();
    this.links.closeAll();
  }

  // ---- leave, force-new-cluster ------------------------------------------------------------------------

  async leave(force: boolean): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'inactive') throw DAEMON.notInSwarm();
      if (this.state === 'locked' && !force) throw daemon(LEAVE_LOCKED);
      if (this.role === 'manager' && this.manager && !force) {
        const members = [...(this.raft?.members.values() ?? [])];
        const reachable = members.filter((m) => this.raft!.isReachable(m.raftId)).length;
        throw daemon(leaveAsManager({ reachable, unreachable: members.length - reachable }));
      }
      await this.teardown();
      await this.dir.clear();
      this.state = 'inactive';
      this.nodeId = '';
      this.clusterId = '';
      this.role = 'worker';
      this.managers = [];
      this.signedBy = undefined;
    });
  }

  /** `swarm init --force-new-cluster`: keep the state, drop every other member (§1.3). */
  private async forceNewCluster(): Promise<string> {
    if (this.role !== 'manager' || !this.raft) throw DAEMON.notManager();
    const self = this.raft.members.get(this.raft.raftId)!;
    const others = [...this.raft.members.values()].filter((m) => m.raftId !== self.raftId).map((m) => m.raftId);
    await this.stopManager();
    const dek = (await this.dir.readCredentials()).dek!;
    const { RaftDiskStorage, encodeConfChange } = await loadManagerSide();
    const storage = await RaftDiskStorage.open(this.dir.root, dek);
    try {
      // Drop what was never committed, then commit the removal of every other member (§1.3).
      const hs = storage.memory.hardStateNow();
      let index = hs.commit;
      const entries: Entry[] = others.map((id) => ({
        term: hs.term,
        index: ++index,
        type: 'confChange' as const,
        data: encodeConfChange({ changes: [{ type: 'removeNode', nodeId: id }] }),
      }));
      if (entries.length > 0) await storage.save({ hardState: { term: hs.term, vote: hs.vote, commit: index }, entries });
      this.o.log('info', 'swarm: forced a new cluster', { removed: others.length, keep: self.raftId });
    } finally {
      await storage.close();
    }
    this.managers = [{ node_id: this.nodeId, addr: this.advertise }];
    await this.dir.writeManagers(this.managers);
    await this.startManager((await this.dir.readCredentials()).dek);
    return this.nodeId;
  }

  // ---- control ---------------------------------------------------------------------------------

  /** A control API call from the Engine API on this node. */
  async control(op: string, args: unknown): Promise<unknown> {
    if (this.state === 'locked') throw DAEMON.locked();
    if (this.state !== 'active') throw DAEMON.notManager();
    if (!this.manager) throw DAEMON.workerCannotControl();
    return this.manager.control(op, args, { nodeId: this.nodeId });
  }

  /** What the launcher's `status` asks: local state, role and this manager's Raft view. */
  status(): Record<string, unknown> {
    const raft = this.raft;
    const st = raft?.status();
    return {
      state: this.state,
      nodeId: this.nodeId,
      role: this.manager ? 'manager' : this.state === 'active' ? 'worker' : '',
      addr: this.o.addr,
      gossip: { members: this.gossipMembers(), stats: this.gossip?.stats() },
      containers: (this.worker?.containers() ?? []).map((c) => ({
        id: c.id,
        taskId: c.config.taskId,
        address: c.config.bindAddress,
        hostname: c.hostname,
        state: c.status().state,
      })),
      ...(raft && st
        ? {
            raft: {
              raftId: raft.raftId,
              term: st.term,
              lead: st.lead,
              isLeader: st.state === 'leader',
              leaderNodeId: raft.members.get(st.lead)?.nodeId ?? '',
              commit: st.commit,
              applied: st.applied,
              members: raft.members.size,
            },
            store: { appliedIndex: this.store?.appliedIndex ?? 0, digest: this.store?.digest() ?? '' },
          }
        : {}),
    };
  }

  isManager(): boolean {
    return this.manager !== undefined;
  }

  /** The `Swarm` section of GET /info. */
  async swarmInfo(): Promise<Record<string, unknown>> {
    const base = {
      NodeID: this.state === 'active' ? this.nodeId : '',
      NodeAddr: this.state === 'active' ? this.o.addr : '',
      LocalNodeState: this.state,
      ControlAvailable: this.state === 'active' && this.manager !== undefined,
      Error: this.lastError,
      RemoteManagers: this.managers.filter((m) => m.node_id).map((m) => ({ NodeID: m.node_id, Addr: m.addr })),
    };
    if (this.state !== 'active') return { ...base, RemoteManagers: null, Nodes: 0, Managers: 0 };
    if (!this.manager) return { ...base, Nodes: 0, Managers: 0 };
    try {
      const info = (await this.manager.control('cluster.info', {}, { nodeId: this.nodeId })) as {
        cluster: Record<string, unknown>;
        nodes: number;
        managers: number;
        remoteManagers: { NodeID: string; Addr: string }[];
      };
      const { JoinTokens: _t, ...cluster } = info.cluster;
      return { ...base, RemoteManagers: info.remoteManagers, Nodes: info.nodes, Managers: info.managers, Cluster: cluster };
    } catch (e) {
      return { ...base, Error: e instanceof Error ? e.message : String(e), Nodes: 0, Managers: 0 };
    }
  }

  /** The `Swarm` ping header: inactive, pending, error, locked, active/worker, active/manager. */
  pingState(): string {
    if (this.state === 'active') return `active/${this.manager ? 'manager' : 'worker'}`;
    return this.state;
  }

  async shutdown(): Promise<void> {
    await this.teardown();
    await this.nic.close?.();
  }

  engineVersion(): string {
    return ENGINE_VERSION;
  }

  hostname(): string {
    return this.o.hostname || osHostname();
  }
}
