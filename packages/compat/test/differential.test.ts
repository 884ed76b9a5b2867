// Side by side with a real swarm (issue 7): one scripted scenario of docker CLI commands against a
// real Docker 20.10 swarm (../shared/tools/real-swarm) and a one-manager swarmlab cluster, both
// normalized, then compared. Every difference is either listed below with a reason (DELIBERATE),
// listed as a known swarmlab bug (EXPECTED_BUGS, removed as they are fixed), or fails the test.

import { Lab } from '@swarmlab/launcher';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABSENT,
  SCENARIO,
  addressesInSlotOrder,
  compareLines,
  compareTranscripts,
  formatDifferences,
  normalizerFor,
  parseTable,
  realSwarmUnavailable,
  runScenario,
  startRealSwarm,
  stopRealSwarm,
  triage,
  type Allowance,
  type Target,
  type TargetFacts,
  type Transcript,
} from '../src/index.js';

const HOST_RESOURCES =
  'resources describe the machine: the real engine reports this host, a swarmlab node the size it emulates';

/** Differences that are meant to be: each says why. */
const DELIBERATE: Allowance[] = [
  {
    step: 'network inspect ingress',
    where: /^\[0\]\.Peers\[\d+\]\.Name$/,
    real: /^[0-9a-f]{12}$/,
    swarmlab: /^[0-9a-f]{12}$/,
    reason: "a peer's networkdb name is 12 hex characters on both sides: random per daemon start on the real engine, derived from the node ID in swarmlab",
  },
  {
    step: 'info swarm section',
    where: 'stderr line 1',
    real: 'WARNING: IPv4 forwarding is disabled',
    swarmlab: ABSENT,
    reason: "start.sh runs dockerd with --ip-forward=false to leave the host's sysctl alone; the warning is about the host, not the swarm",
  },
  { step: 'node inspect self', where: /^\[0\]\.Description\.Resources\.(MemoryBytes|NanoCPUs)$/, reason: HOST_RESOURCES },
  { step: 'node inspect --pretty self', where: /^line \d+$/, real: /^ (Memory|CPUs):/, swarmlab: /^ (Memory|CPUs):/, reason: HOST_RESOURCES },
  {
    step: /^network inspect /,
    where: /^\[0\]\.EnableIPv4$/,
    real: ABSENT,
    swarmlab: 'true',
    reason: 'EnableIPv4 came with API 1.47 (Docker 27), which swarmlab claims; the real engine is 20.10 (API 1.41)',
  },
  {
    step: 'network create bad subnet',
    where: /^stderr line [12]$/,
    real: /^(Error response from daemon: Invalid subnet 10\.0\.0\.0\/33 : invalid CIDR address: 10\.0\.0\.0\/33|\(absent\))$/,
    swarmlab: /^(Error response from daemon: invalid network config:|invalid subnet 10\.0\.0\.0\/33: invalid CIDR block notation)$/,
    reason:
      'Docker 25+ validates IPAM in the daemon (api/types/network ValidateIPAM) with this text; 20.10 left it to libnetwork. swarmlab answers as the 1.47 engine it claims',
  },
];


/** Swarmlab bugs this test found, with the exact difference; the lead removes each once fixed. */
const EXPECTED_BUGS: Allowance[] = [];

/** A port nothing listens on at `host` now (asked of the kernel, then released). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const unavailable = realSwarmUnavailable();

describe('side by side with a real Docker swarm', () => {
  if (unavailable) {
    it.skip(unavailable, () => undefined);
    return;
  }

  let tmp = '';
  let realWork = '';
  /** Why dockerd could not start here (a machine that installs it but cannot run it, e.g. no overlay mounts). */
  let realDidNotStart: string | undefined;
  let lab: Lab | undefined;
  let real: Target;
  let swarmlab: Target;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'swarmlab-compat-'));
    realWork = join(tmp, 'dockerd');
    const [realStart, labStart] = await Promise.allSettled([
      startRealSwarm(realWork),
      Lab.up({ fresh: true, home: join(tmp, 'lab'), managers: 1, workers: 0 }),
    ]);
    if (labStart.status === 'fulfilled') lab = labStart.value;
    if (labStart.status === 'rejected') throw labStart.reason;
    if (realStart.status === 'rejected') {
      if (process.env.SWARMLAB_REQUIRE_REAL_SWARM === '1') throw realStart.reason;
      realDidNotStart = String(realStart.reason instanceof Error ? realStart.reason.message : realStart.reason);
      return;
    }
    const addr = labStart.value.node('manager1').spec.addr;
    const realPort = await freePort('0.0.0.0');
    let labPort = await freePort(addr);
    while (labPort === realPort) labPort = await freePort(addr);
    real = {
      name: 'real',
      dockerHost: `unix://${realStart.value.socketPath}`,
      engine: { socketPath: realStart.value.socketPath },
      image: 'busybox:local',
      hostPort: realPort,
      filesDir: join(tmp, 'files-real'),
    };
    swarmlab = {
      name: 'swarmlab',
      dockerHost: `tcp://${addr}:2375`,
      engine: { host: addr, port: 2375 },
      image: 'busybox:local',
      hostPort: labPort,
      filesDir: join(tmp, 'files-swarmlab'),
    };
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([lab?.downForSure(), existsSync(realWork) ? stopRealSwarm(realWork) : undefined]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 180_000);

  it('runs the scenario on both and differs only where listed', async (t) => {
    if (realDidNotStart) {
      console.warn(`side-by-side test skipped: the real dockerd did not start here (set SWARMLAB_REQUIRE_REAL_SWARM=1 to fail instead):\n${realDidNotStart}`);
      t.skip();
    }
    const [realRun, labRun] = await Promise.all([runScenario(real, SCENARIO), runScenario(swarmlab, SCENARIO)]);
    keepTranscripts(realRun, labRun);

    // The scenario itself is checked against the real swarm: error steps fail there, the others
    // succeed, and every wait is reached.
    const wrongOnReal = SCENARIO.steps.flatMap((step, i) => {
      const r = realRun.results[i];
      const failed = r.exitCode !== 0 && !(r.exitCode >= 200 && r.exitCode < 300);
      return failed === Boolean(step.fails) && !r.settled?.startsWith('timed out') ? [] : [`${step.name}: exit ${r.exitCode} ${r.settled ?? ''} ${r.stderr}`];
    });
    expect(wrongOnReal).toEqual([]);

    const differences = compareTranscripts(
      SCENARIO.steps,
      realRun,
      labRun,
      normalizerFor(real, realRun.facts),
      normalizerFor(swarmlab, labRun.facts),
    );
    const result = triage(differences, DELIBERATE, EXPECTED_BUGS);
    expect(result.unexplained, `differences neither deliberate nor known bugs:\n${formatDifferences(result.unexplained)}`).toEqual([]);
    expect(result.fixedBugs.map((b) => b.reason), 'expected bugs no longer seen (fixed? remove them from EXPECTED_BUGS)').toEqual([]);
  }, 240_000);
});

/** With COMPAT_TRANSCRIPTS=<dir>, both raw transcripts are written there to read after the run. */
function keepTranscripts(...transcripts: Transcript[]): void {
  const dir = process.env.COMPAT_TRANSCRIPTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const t of transcripts) writeFileSync(join(dir, `${t.target.name}.json`), JSON.stringify(t, null, 2));
}

describe('normalizer, tables and comparison', () => {
  const target: Target = {
    name: 'real',
    dockerHost: 'unix:///x',
    engine: { socketPath: '/x' },
    image: 'busybox:local',
    hostPort: 41234,
    filesDir: '/tmp',
  };
  const facts: TargetFacts = {
    nodeId: 'ib8465xyg6mxqofzz2ko0hfnc',
    hostname: 'vm',
    engineVersion: '20.10.24+dfsg1',
    nodeAddr: '127.0.0.1',
    clusterId: 'w5hz5qtnllw78efmhi55d5iai',
    apiVersion: '1.41',
  };
  const n = normalizerFor(target, facts);

  it('replaces IDs, times, ages, addresses, hostname, version, image and host port by tokens', () => {
    expect(n.text('Service ib8465xyg6mxqofzz2ko0hfnc converged on vm at 127.0.0.1:2377')).toBe('Service <ID> converged on <HOSTNAME> at <ADDR>:2377');
    expect(n.text('Running 3 seconds ago, created Less than a second ago')).toBe('Running <AGO>, created <AGO>');
    expect(n.text('Pending less than a second ago')).toBe('Pending <AGO>');
    expect(n.text('"2026-11-26T13:26:13.85720823Z" and 2026-11-26 13:26:13.857237835 +0000 utc')).toBe('"<TIME>" and <TIME>');
    expect(n.text('20.10.24+dfsg1 busybox:local *:41234->80/tcp')).toBe('<ENGINE-VERSION> <IMAGE> *:<HOST-PORT>->80/tcp');
    expect(n.text(`${'a1'.repeat(32)}`)).toBe('<ID64>');
    // Words and longer names that merely contain the hostname stay.
    expect(n.text('vm-2 avm vm.example')).toBe('vm-2 avm vm.example');
  });

  it('normalizes JSON values by content and volatile numbers by path', () => {
    expect(n.json({ Version: { Index: 9 }, Status: { ContainerStatus: { PID: 7084, ExitCode: 0 } }, Ports: [{ PublishedPort: 41234 }] })).toEqual({
      Version: { Index: '<INDEX>' },
      Status: { ContainerStatus: { PID: '<PID>', ExitCode: 0 } },
      Ports: [{ PublishedPort: '<HOST-PORT>' }],
    });
  });

  it('reads CLI tables by header position, empty cells included', () => {
    const table = parseTable(
      [
        'ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION',
        'ib8465xyg6mxqofzz2ko0hfnc *   vm         Ready     Active                          20.10.24+dfsg1',
      ].join('\n'),
    );
    expect(table?.columns).toEqual(['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION']);
    expect(n.table(table!).rows).toEqual([['<ID> *', '<HOSTNAME>', 'Ready', 'Active', '', '<ENGINE-VERSION>']]);
  });

  it('pairs differing lines after the longest common run instead of shifting every line', () => {
    expect(compareLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'], 'line')).toEqual([
      { where: 'line 2', real: 'b', swarmlab: 'x' },
      { where: 'line 5', real: '(absent)', swarmlab: 'e' },
    ]);
  });

  it('hands each network\'s task addresses out in slot order, whichever slot the allocator gave them to', () => {
    const task = (slot: number, ...attachments: [string, string][]) => ({
      Slot: slot,
      NetworksAttachments: attachments.map(([id, address]) => ({ Network: { ID: id }, Addresses: [address] })),
    });
    const tasks = [task(1, ['net', '10.0.1.10/24'], ['ingress', '10.0.0.4/24']), task(2, ['net', '10.0.1.9/24'], ['ingress', '10.0.0.3/24']), task(3)];
    expect(addressesInSlotOrder(tasks)).toEqual([
      task(1, ['net', '10.0.1.9/24'], ['ingress', '10.0.0.3/24']),
      task(2, ['net', '10.0.1.10/24'], ['ingress', '10.0.0.4/24']),
      { Slot: 3, NetworksAttachments: [] },
    ]);
    expect(tasks[0].NetworksAttachments[0].Addresses).toEqual(['10.0.1.10/24']);
  });

  it('sorts differences into deliberate, known bugs and unexplained, and reports fixed bugs', () => {
    const bug: Allowance = { step: 'x', where: 'exit code', reason: 'bug' };
    const gone: Allowance = { step: 'y', where: /./, reason: 'fixed' };
    const result = triage(
      [
        { step: 'x', where: 'exit code', real: '1', swarmlab: '0' },
        { step: 'z', where: 'Spec.Foo', real: '1', swarmlab: '2' },
        { step: 'w', where: 'line 1', real: 'a', swarmlab: 'b' },
      ],
      [{ step: 'z', where: /^Spec\./, reason: 'deliberate' }],
      [bug, gone],
    );
    expect(result.deliberate.map((d) => d.step)).toEqual(['z']);
    expect(result.bugs.map((d) => d.step)).toEqual(['x']);
    expect(result.unexplained.map((d) => d.step)).toEqual(['w']);
    expect(result.fixedBugs).toEqual([gone]);
  });
});
