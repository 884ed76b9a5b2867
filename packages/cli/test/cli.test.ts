// The swarmlab command against real clusters (3 managers + 2 workers, fast profile): `up`, the
// views, every fault verb with its observable effect, bad input changing nothing, `down` leaving
// no process, `up` bringing a stopped cluster back as it was, and nodes stopping when their
// launcher died (`down` killing the one that could not: a paused node).
// One cluster serves the checks in order; each check leaves it healed.

import { DockerClient } from '@swarmlab/api';
import { RemoteLab, type LabEvent, type LiveNode } from '@swarmlab/launcher';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityProblems } from '../src/guard-rails.js';
import { cleanupHome, cli, cliJson, cliProcess, gone, recordedPids, spawnCli, tempHome, waitFor, type Result } from './helpers.js';

const home = tempHome();
const NAME = 't';
let upResult: Result;
let lab: RemoteLab;

const hasDocker = (() => {
  try {
    execFileSync('docker', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const nodes = () => cliJson<LiveNode[]>(home, 'nodes');
const node = async (name: string) => (await nodes()).find((n) => n.name === name)!;
const clusterState = async () => (await cliJson<{ name: string; state: string }[]>(home, 'ls')).find((c) => c.name === NAME)?.state;
const faultEvents = () =>
  readFileSync(join(home, 'clusters', NAME, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LabEvent)
    .filter((e) => e.kind === 'fault' || e.kind === 'heal');

beforeAll(async () => {
  upResult = await cliProcess(home, ['up', '--name', NAME, '--managers', '3', '--workers', '2', '--profile', 'fast']);
  if (upResult.code !== 0) throw new Error(`up failed: ${upResult.stderr}\n${upResult.stdout}`);
  lab = await RemoteLab.connect(NAME, { home });
}, 60_000);

afterAll(() => cleanupHome(home), 60_000);

describe('up and the views', () => {
  it('up returns with every node Ready and one leader, shows the table and the DOCKER_HOST line', async () => {
    const lines = upResult.stdout.trimEnd().split('\n');
    const header = lines.findIndex((l) => l.startsWith('NAME'));
    expect(lines[header]).toMatch(/^NAME\s+ROLE\s+ADDRESS\s+PID\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS$/);
    const rows = lines.slice(header + 1, header + 6);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['manager1', 'manager2', 'manager3', 'worker1', 'worker2']);
    expect(rows.every((r) => /\sReady\s+Active/.test(r))).toBe(true);
    expect(rows.filter((r) => /\sLeader$/.test(r))).toHaveLength(1);
    const m1 = (await nodes()).find((n) => n.name === 'manager1')!;
    expect(lines.at(-1)).toBe(`export DOCKER_HOST=tcp://${m1.addr}:2375`);
  });

  it('nodes --json gives name, role, addr, pid and state for every node, with the swarm status', async () => {
    const list = await nodes();
    expect(list).toHaveLength(5);
    for (const n of list) {
      expect(n).toMatchObject({ name: expect.any(String), role: expect.stringMatching(/^(manager|worker)$/), addr: expect.stringMatching(/^127\.\d+\.\d+\.\d+$/), pid: expect.any(Number), state: 'running', status: 'ready', availability: 'active' });
      expect(gone(n.pid!)).toBe(false);
    }
    expect(new Set(list.map((n) => n.addr)).size).toBe(5);
    expect(list.filter((n) => n.managerStatus === 'leader')).toHaveLength(1);
    expect(list.filter((n) => n.role === 'manager').every((n) => ['leader', 'reachable'].includes(n.managerStatus))).toBe(true);
  });

  it('env prints the export line for a node, by name or alias', async () => {
    const w2 = await node('worker2');
    expect((await cli(home, 'env', 'w2')).stdout).toBe(`export DOCKER_HOST=tcp://${w2.addr}:2375\n`);
    expect(await cliJson(home, 'env', 'worker2', '--cluster', NAME)).toEqual({ node: 'worker2', DOCKER_HOST: `tcp://${w2.addr}:2375` });
  });

  it('ls lists the cluster as running with its launcher', async () => {
    const [c] = await cliJson<{ name: string; state: string; launcherPid: number; liveNodes: number }[]>(home, 'ls');
    expect(c).toMatchObject({ name: NAME, state: 'running', liveNodes: 5 });
    expect(gone(c.launcherPid)).toBe(false);
  });

  it('logs prints a node log pretty, or as JSON lines', async () => {
    const pretty = await cli(home, 'logs', 'm1');
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: swarmd ready/m);
    const raw = (await cli(home, 'logs', 'manager1', '--json')).stdout.trim().split('\n');
    expect(raw.every((l) => typeof (JSON.parse(l) as { msg: string }).msg === 'string')).toBe(true);
  });

  it.skipIf(!hasDocker)('docker NODE -- ARGS runs the docker CLI against the node and passes its exit status on', async () => {
    const ls = await cliProcess(home, ['docker', 'm1', '--', 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['manager1 Ready', 'manager2 Ready', 'manager3 Ready', 'worker1 Ready', 'worker2 Ready']);
    const missing = await cliProcess(home, ['docker', 'm1', '--', 'node', 'inspect', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('node nosuch not found');
  });
});

describe('bad input', () => {
  it('gets a clear error and a non-zero exit, and changes nothing', async () => {
    const before = await nodes();
    const faults = faultEvents().length;
    const cases: [string[], RegExp][] = [
      [['kill', 'nosuch'], /unknown node "nosuch"/],
      [['kill', 'worker1', 'ghost'], /unknown node "ghost"/],
      [['pause', 'm1,ghost'], /unknown node "ghost"/],
      [['resume', 'w1'], /cannot resume worker1 \(running\): it is not paused/],
      [['link', 'm1', 'm2', '--delay', 'abc'], /option '--delay <duration>' argument 'abc' is invalid/],
      [['link', 'm1', 'm2'], /link needs at least one of --delay/],
      [['link', 'm1', 'm1', '--delay', '10ms'], /and itself/],
      [['link', 'm1', 'm2', '--loss', '150%'], /invalid loss "150%"/],
      [['block', 'm1', 'nosuch'], /unknown node "nosuch"/],
      [['partition', '--halves', '--bridge'], /choose one way to partition/],
      [['partition'], /partition needs groups/],
      [['partition', 'm1', 'm1,m2'], /in two groups/],
      [['partition', '--bridge', '--include-api'], /--include-api needs groups the user can stand with .*--bridge has none/],
      [['block', 'm1', 'm2', '--include-api'], /--include-api goes with a partition .*a block shapes traffic between two nodes/],
      [['clock', 'm1', '--offset', '5x'], /invalid duration "5x"/],
      [['clock', 'm1'], /required option '--offset <duration>' not specified/],
      [['up', '--name', NAME], /already running/],
      [['up', '--name', 'other', '--managers', '0'], /argument '0' is invalid/],
      [['up', '--name', 'other', '--profile', 'slow'], /expected fast or docker/],
      [['up', '--name', 'bad/name'], /invalid cluster name/],
      [['add'], /nothing to add/],
      [['nodes', '--cluster', 'nosuch'], /no cluster named "nosuch"/],
      [['env', 'worker9'], /unknown node "worker9"/],
      [['frob'], /unknown command 'frob'/],
      [['nodes', '--bogus'], /unknown option '--bogus'/],
      [['chaos', 'run', '--nemesis', 'kill,meteor'], /expected a comma list of partition, kill, pause, clock, link, membership \(not meteor\)/],
      [['chaos', 'run', '--workload', 'kv'], /expected register, services or mixed/],
      [['chaos', 'run', '--time', 'soon'], /option '--time <duration>' argument 'soon' is invalid/],
      [['chaos', 'check', home], /is not a chaos run folder \(no schedule.json\)/],
      [['chaos', 'replay', join(home, 'nothing-here')], /is not a chaos run folder/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(home, ...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
    const after = await nodes();
    expect(after.map((n) => [n.name, n.pid, n.state])).toEqual(before.map((n) => [n.name, n.pid, n.state]));
    expect(faultEvents()).toHaveLength(faults);
    expect(existsSync(join(home, 'clusters', 'other'))).toBe(false);
  });

  it('guard rails say what to raise before spawning a cluster that cannot fit', async () => {
    const r = await cli(home, 'up', '--name', 'huge', '--workers', '1000000');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/need about \d+ MB of free memory/);
    expect(existsSync(join(home, 'clusters', 'huge'))).toBe(false);
    const problems = capacityProblems(100, { openFilesSoft: 1024, openFilesHard: 4096, freeMemBytes: 1024 * 2 ** 20 });
    expect(problems[0]).toContain('ulimit -n 7168');
    expect(problems[0]).toContain('hard limit is 4096');
    expect(problems[1]).toContain('5000 MB of free memory, but 1024 MB are free');
    expect(capacityProblems(5, { openFilesSoft: 20000, openFilesHard: 20000, freeMemBytes: 8 * 2 ** 30 })).toEqual([]);
  });
});

describe('process faults', () => {
  it('a paused worker turns Down and comes back Ready after resume', async () => {
    expect((await cli(home, 'pause', 'w1')).stdout).toBe('paused worker1\n');
    await waitFor('worker1 Down', async () => {
      const n = await node('worker1');
      return n.state === 'paused' && n.status === 'down';
    });
    expect((await cli(home, 'resume', 'worker1')).code).toBe(0);
    await waitFor('worker1 Ready', async () => (await node('worker1')).status === 'ready');
  });

  it('kill ends the process and the node turns Down; start brings it back Ready', async () => {
    const pid = (await node('worker2')).pid!;
    expect(await cliJson(home, 'kill', 'w2')).toEqual({ action: 'kill', nodes: ['worker2'] });
    expect(gone(pid)).toBe(true);
    await waitFor('worker2 Down', async () => {
      const n = await node('worker2');
      return n.state === 'stopped' && n.status === 'down';
    });
    expect((await cli(home, 'start', 'worker2')).code).toBe(0);
    const back = await waitFor('worker2 Ready', async () => {
      const n = await node('worker2');
      return n.status === 'ready' && n;
    });
    expect(back.pid).not.toBe(pid);
  });

  it('stop ends a node gracefully (SIGTERM) and start brings it back as the same node', async () => {
    const before = await node('worker1');
    expect((await cli(home, 'stop', 'worker1')).stdout).toBe('stopped worker1\n');
    expect(gone(before.pid!)).toBe(true);
    expect((await cli(home, 'logs', 'w1', '--json')).stdout).toMatch(/"signal":"SIGTERM","msg":"stopping"/);
    await cli(home, 'start', 'worker1');
    const after = await waitFor('worker1 Ready', async () => {
      const n = await node('worker1');
      return n.status === 'ready' && n;
    });
    expect(after.nodeId).toBe(before.nodeId);
  });

  it('restart keeps the node ID', async () => {
    const before = await node('manager3');
    expect((await cli(home, 'restart', 'm3')).code).toBe(0);
    const after = await waitFor('manager3 Ready again', async () => {
      const n = await node('manager3');
      return n.status === 'ready' && ['leader', 'reachable'].includes(n.managerStatus) && n;
    });
    expect(after.nodeId).toBe(before.nodeId);
    expect(after.pid).not.toBe(before.pid);
    expect(gone(before.pid!)).toBe(true);
  });
});

describe('network and clock faults', () => {
  it('an isolated leader steps down and the majority elects a new one; heal restores everything', async () => {
    const old = (await lab.leader())!;
    expect(await cliJson(home, 'partition', '--isolate', 'leader')).toEqual({ action: 'partition', isolate: [old] });
    const next = await waitFor('a new leader', async () => {
      const l = await lab.leader();
      return l && l !== old ? l : undefined;
    });
    await waitFor(`${old} to step down`, async () => ((await lab.status(old)).raft as { isLeader: boolean }).isLeader === false);
    await waitFor(`${next} to see ${old} unreachable`, async () => (await node(old)).managerStatus === 'unreachable');

    expect((await cli(home, 'heal')).code).toBe(0);
    await waitFor('every node Ready with one leader', async () => {
      const list = await nodes();
      return list.every((n) => n.status === 'ready') && list.filter((n) => n.managerStatus === 'leader').length === 1 && list.filter((n) => n.managerStatus === 'reachable').length === 2;
    });
    // The managers told the launcher: events show the old leader losing the lead, a new one taking it.
    const events = (await cli(home, 'events')).stdout;
    expect(events).toMatch(new RegExp(`fault\\s+partition isolate=${old}`));
    expect(events).toMatch(new RegExp(`observed\\s+${next} is the leader \\(term \\d+\\)`));
    expect(events).toMatch(/heal\s+every network fault lifted/);
  });

  it('partition --include-api also cuts the user from the APIs outside the largest group, until heal', async () => {
    const addr = (await node('worker1')).addr;
    const ping = (timeoutMs: number) => new DockerClient({ host: addr, port: 2375, timeoutMs }).ping();
    expect(await cliJson(home, 'partition', '--isolate', 'w1', '--include-api')).toEqual({ action: 'partition', isolate: ['worker1'], apiCut: ['worker1'] });
    // The others still answer; worker1 takes the connection and answers nothing.
    expect((await lab.client('manager1', 3000).ping()).apiVersion).toBeTruthy();
    await expect(ping(500)).rejects.toThrow(/timed out|timeout/i);
    // A request made while cut is answered once the cable is back.
    const waiting = ping(30_000);
    await new Promise((r) => setTimeout(r, 200)); // let it reach worker1 before the heal
    expect((await cli(home, 'heal')).code).toBe(0);
    expect((await waiting).apiVersion).toBeTruthy();
    expect((await cli(home, 'events')).stdout).toMatch(/fault\s+api nodes=worker1/);
  });

  it('a one-way block stops traffic from A to B while B to A still flows', async () => {
    const list = await nodes();
    const addr = (n: string) => list.find((x) => x.name === n)!.addr;
    type Stats = Record<string, { packetsIn: number; dropsOut: number }>;
    const stats = async (n: string) => (await lab.nicStats(n)) as Stats;
    expect((await cli(home, 'block', 'worker1', 'worker2', '--one-way')).stdout).toMatch(/from worker1 to worker2/);
    // Right after the rules are in: from here on, nothing from worker1 reaches worker2.
    const w2From1 = (await stats('worker2'))[addr('worker1')]?.packetsIn ?? 0;
    const start1 = (await stats('worker1'))[addr('worker2')] ?? { packetsIn: 0, dropsOut: 0 };
    await waitFor('gossip both ways to be tried', async () => {
      const now = (await stats('worker1'))[addr('worker2')];
      return now && now.packetsIn > start1.packetsIn + 2 && now.dropsOut > start1.dropsOut + 2;
    });
    expect((await stats('worker2'))[addr('worker1')]?.packetsIn ?? 0).toBe(w2From1);
    await cli(home, 'heal');
    await waitFor('worker2 to hear worker1 again', async () => ((await stats('worker2'))[addr('worker1')]?.packetsIn ?? 0) > w2From1);
  });

  it('a link delay shows in a round trip between two nodes', async () => {
    const leader = (await lab.leader())!;
    const follower = (await lab.resolve('managers')).find((m) => m !== leader)!;
    // A follower's `docker node ls` asks the leader: one round trip over the shaped link.
    const roundTrip = async () => {
      const t = Date.now();
      await lab.client(follower).nodeList();
      return Date.now() - t;
    };
    expect((await cli(home, 'link', leader, follower, '--delay', '150ms', '--jitter', '0ms')).code).toBe(0);
    await roundTrip();
    expect(await roundTrip()).toBeGreaterThanOrEqual(2 * 150 - 5);
    await cli(home, 'heal');
  });

  it('clock moves a node\'s emulated clock: the leader stamps what it writes with it', async () => {
    const leader = (await lab.leader())!;
    expect((await cli(home, 'clock', leader, '--offset', '-2h')).stdout).toMatch(/7200 s behind/);
    const api = lab.client(leader);
    const w = await api.nodeInspect('worker1');
    await api.nodeUpdate(w.ID, w.Version.Index, { ...w.Spec, Labels: { ...w.Spec.Labels, stamped: 'yes' } });
    const updated = Date.parse((await api.nodeInspect('worker1')).UpdatedAt);
    expect(updated).toBeLessThan(Date.now() - 3600_000);
    expect((await cli(home, 'clock', leader, '--offset', '0s')).code).toBe(0);
    const kinds = faultEvents().map((e) => e.fault);
    expect(kinds).toEqual(expect.arrayContaining(['partition', 'pause', 'kill', 'restart', 'block', 'link', 'clock']));
  });
});

describe('events, add, scripts and several clusters', () => {
  it('events -f prints events as they happen', async () => {
    const heals = faultEvents().filter((e) => e.kind === 'heal').length;
    const child = spawnCli(home, ['events', '-f', '--json']);
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    try {
      await waitFor('the history so far', () => text.includes('"fault":"partition"'));
      await cli(home, 'heal');
      await waitFor('the heal just applied', () => text.split('\n').filter((l) => l.includes('"kind":"heal"')).length > heals);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('add joins new workers to the running cluster', async () => {
    const r = await cli(home, 'add', '--workers', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^worker3\s+worker\s+127\.\d+\.\d+\.\d+\s+\d+\s+Ready\s+Active$/m);
    const w3 = await node('worker3');
    expect(w3).toMatchObject({ role: 'worker', state: 'running', status: 'ready' });
  });

  it('run --cluster hands a script a RemoteLab of the running cluster; scripts may import @swarmlab packages', async () => {
    const script = join(home, 'probe.ts');
    writeFileSync(
      script,
      `import { resolveAlias } from '@swarmlab/launcher';\n` +
        `export default async (lab: { leader(): Promise<string | undefined>; list(): unknown; notReady(): Promise<string | undefined> }) =>\n` +
        `  ({ leader: await lab.leader(), nodes: (await lab.list() as unknown[]).length, alias: resolveAlias('w3'), waitingFor: (await lab.notReady()) ?? 'nothing' });\n`,
    );
    const r = await cliProcess(home, ['run', script, '--cluster', NAME, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ cluster: NAME, result: { leader: await lab.leader(), nodes: 6, alias: 'worker3', waitingFor: 'nothing' } });
  });

  it('with several clusters running, a command without --cluster says which ones to choose from', async () => {
    const solo = await cli(home, 'up', '--name', 'solo', '--managers', '1', '--workers', '0');
    expect(solo.code, solo.stderr).toBe(0);
    const r = await cli(home, 'nodes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`several clusters are running (solo, ${NAME}): choose one with --cluster NAME`);
    const soloPids = recordedPids(home, 'solo');
    expect((await cli(home, 'down', 'solo')).stdout).toBe('cluster "solo": stopped 1 node\n');
    expect(soloPids.every(gone)).toBe(true);
  });
});

describe('down and up again', () => {
  it('down leaves no process; up brings the cluster back with its nodes and identities', async () => {
    const before = await nodes();
    const pids = recordedPids(home, NAME);
    expect(pids).toHaveLength(7);
    const r = await cli(home, 'down');
    expect(r.stdout).toBe(`cluster "${NAME}": stopped 6 nodes\n`);
    for (const pid of pids) expect(gone(pid), `pid ${pid}`).toBe(true);
    expect(await clusterState()).toBe('stopped');

    const again = await cli(home, 'up', '--name', NAME);
    expect(again.code, again.stderr).toBe(0);
    const after = await nodes();
    expect(after.map((n) => [n.name, n.addr, n.nodeId, n.status])).toEqual(before.map((n) => [n.name, n.addr, n.nodeId, 'ready']));
  });

  it('when the launcher dies its nodes stop by themselves; down kills one that could not (paused)', async () => {
    const launcher = (await cliJson<{ name: string; launcherPid: number }[]>(home, 'ls')).find((c) => c.name === NAME)!.launcherPid;
    expect((await cli(home, 'pause', 'worker1')).code).toBe(0);
    const paused = (await node('worker1')).pid!;
    const running = (await nodes()).map((n) => n.pid!).filter((pid) => pid !== paused);
    expect(running.length).toBeGreaterThan(0);
    process.kill(launcher, 'SIGKILL');
    await waitFor('the launcher to be gone', () => gone(launcher));
    await waitFor('every running node to stop by itself', () => running.every(gone));
    expect(gone(paused)).toBe(false);
    expect(await clusterState()).toBe('orphaned');
    const r = await cli(home, 'down', NAME);
    expect(r.stdout).toContain(`killed 1 leftover process (${paused})`);
    expect(gone(paused)).toBe(true);
    expect(await clusterState()).toBe('stopped');
  });
});
