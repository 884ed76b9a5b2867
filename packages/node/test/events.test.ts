// GET /events: store changes become the swarm events a real daemon emits (checked line for line
// against reference/real-swarm/events-swarm.jsonl), since/until replay from the remembered
// events, filters in both wire forms, and a real cluster driven through the docker CLI and raw
// HTTP — on the leader, on a follower manager, and on a worker (which streams only its own engine's events).

import { formatTimestamp, parseTimestamp } from '@swarmlab/api';
import type { Lab } from '@swarmlab/launcher';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatedClock } from '../src/clock.js';
import { registerEventRoutes } from '../src/engine/routes-events.js';
import { Router, sendError, type Request } from '../src/engine/http.js';
import { ClusterEventLog, EVENTS_LIMIT } from '../src/manager/events/event-log.js';
import { EventFilter } from '../src/manager/events/filter.js';
import { clusterEventFrom } from '../src/manager/events/from-store.js';
import { encodeEvent, type ClusterEvent } from '../src/manager/events/message.js';
import { parseEventTime } from '../src/manager/events/timestamp.js';
import { MemoryStore, type StoreEvent, type StoredObject } from '../src/store/memory.js';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

// What a real 20.10 swarm emitted (the in-repo copy of reference/real-swarm/events-swarm.jsonl).
const REAL_EVENTS = readFileSync(new URL('../../api/test/fixtures/real-swarm/events-swarm.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');

const at = (nanos: bigint) => formatTimestamp(nanos);

function stored(fields: Record<string, unknown>, updatedAt: bigint, createdAt = updatedAt): StoredObject {
  return { ID: 'x', Version: { Index: 1 }, CreatedAt: at(createdAt), UpdatedAt: at(updatedAt), ...fields };
}

function vmNode(updatedAt: bigint, spec: Record<string, unknown>, status = 'ready'): StoredObject {
  return stored(
    {
      ID: 'vq89rxodqjgde9h3lug178dm9',
      Spec: { Labels: {}, Role: 'manager', Availability: 'active', ...spec },
      Description: { Hostname: 'vm' },
      Status: { State: status, Addr: '10.0.0.2' },
      role: 'manager',
    },
    updatedAt,
  );
}

function webService(updatedAt: bigint, replicas: number, updateStatus?: { State: string } | null, image = 'busybox:local'): StoredObject {
  return stored(
    {
      ID: 'wnoxfe6i5ow66unmrf2xhndyi',
      Spec: { Name: 'web', TaskTemplate: { ContainerSpec: { Image: image } }, Mode: { Replicated: { Replicas: replicas } } },
      ...(updateStatus === undefined ? {} : { UpdateStatus: updateStatus }),
    },
    updatedAt,
    1795686380202945815n,
  );
}

const never = (): bigint => {
  throw new Error('only removals use the current time');
};

function line(change: StoreEvent, now: () => bigint = never): string {
  const ev = clusterEventFrom(change, now);
  if (!ev) throw new Error('no event');
  return encodeEvent(ev).trimEnd();
}

describe('store changes as Docker events', () => {
  it('prints node updates exactly as the real swarm did (state, availability, a bare update)', () => {
    const t = 1795686378038338172n;
    expect(line({ action: 'update', table: 'node', old: vmNode(t - 5n, {}, 'unknown'), object: vmNode(t, {}) })).toBe(REAL_EVENTS[0]);
    const drained = 1795686417109071183n;
    expect(
      line({ action: 'update', table: 'node', old: vmNode(drained - 9n, {}), object: vmNode(drained, { Availability: 'drain' }) }),
    ).toBe(REAL_EVENTS[14]);
    const bare = 1795686431045340966n;
    expect(
      line({ action: 'update', table: 'node', old: vmNode(bare - 9n, { Availability: 'drain' }), object: vmNode(bare, { Availability: 'drain' }) }),
    ).toBe(REAL_EVENTS[15]);
  });

  it('prints service create, scale and every updatestate transition exactly as the real swarm did', () => {
    const created = 1795686380202945815n;
    expect(line({ action: 'create', table: 'service', object: webService(created, 3) })).toBe(REAL_EVENTS[1]);
    const scaled = 1795686434314899066n;
    expect(line({ action: 'update', table: 'service', old: webService(created, 3), object: webService(scaled, 5) })).toBe(REAL_EVENTS[18]);
    // An update clears UpdateStatus (bare event); the updater then announces "updating" with no old state.
    const cleared = 1795686440107865913n;
    expect(
      line({ action: 'update', table: 'service', old: webService(scaled, 5), object: webService(cleared, 5, null) }),
    ).toBe(REAL_EVENTS[19]);
    const steps: [bigint, string | null, string][] = [
      [1795686440108851292n, null, 'updating'],
      [1795686480149155244n, 'updating', 'completed'],
      [1795686480374643241n, 'completed', 'rollback_started'],
      [1795686543614795951n, 'rollback_started', 'rollback_completed'],
    ];
    steps.forEach(([time, from, to], i) => {
      const old = webService(time - 1000n, 5, from === null ? null : { State: from });
      expect(line({ action: 'update', table: 'service', old, object: webService(time, 5, { State: to }) })).toBe(REAL_EVENTS[20 + i]);
    });
  });

  it('names image changes, takes secret/config/network names and stamps removals with the current time', () => {
    const t = 1795686500000000000n;
    const ev = clusterEventFrom(
      { action: 'update', table: 'service', old: webService(t - 1n, 2, undefined, 'nginx:alpine'), object: webService(t, 2, undefined, 'nginx:1.27') },
      never,
    )!;
    expect(ev.Actor.Attributes).toEqual({ name: 'web', 'image.old': 'nginx:alpine', 'image.new': 'nginx:1.27' });
    expect(line({ action: 'create', table: 'secret', object: stored({ ID: 'ildez9jjwzks2c7r3ikeua5h3', Spec: { Name: 'mysecret' } }, 1795686386151903601n) })).toBe(
      REAL_EVENTS[2],
    );
    expect(line({ action: 'create', table: 'config', object: stored({ ID: 'ini4gm5waeigv34yjnh8l64f4', Spec: { Name: 'myconfig' } }, 1795686386169807385n) })).toBe(
      REAL_EVENTS[3],
    );
    expect(line({ action: 'create', table: 'network', object: stored({ ID: '5j23s8y406c6skw8ktm1zrugj', Spec: { Name: 'mynet' } }, 1795686386321765726n) })).toBe(
      REAL_EVENTS[4],
    );
    const removed = clusterEventFrom({ action: 'delete', table: 'secret', object: stored({ ID: 's1', Spec: { Name: 'gone' } }, 5n) }, () => 42_000_000_123n)!;
    expect(encodeEvent(removed)).toBe('{"Type":"secret","Action":"remove","Actor":{"ID":"s1","Attributes":{"name":"gone"}},"scope":"swarm","time":42,"timeNano":42000000123}\n');
    const promoted = clusterEventFrom({ action: 'update', table: 'node', old: { ...vmNode(t - 1n, {}), role: 'worker' }, object: vmNode(t, {}) }, never)!;
    expect(promoted.Actor.Attributes).toEqual({ name: 'vm', 'role.old': 'worker', 'role.new': 'manager' });
    expect(clusterEventFrom({ action: 'create', table: 'task', object: stored({ ID: 't' }, t) }, never)).toBeUndefined();
    expect(clusterEventFrom({ action: 'update', table: 'cluster', object: stored({ ID: 'c' }, t) }, never)).toBeUndefined();
  });

  it('escapes what Go escapes in names', () => {
    const ev = clusterEventFrom({ action: 'create', table: 'config', object: stored({ ID: 'c', Spec: { Name: 'a<b>&"c' } }, 1n) }, never)!;
    expect(encodeEvent(ev)).toContain('"name":"a\\u003cb\\u003e\\u0026\\"c"');
  });
});

describe('since and until as the daemon parses them', () => {
  it('reads seconds and fractions, scaling the fraction to nanoseconds', () => {
    expect(parseEventTime('1795686380')).toBe(1795686380_000_000_000n);
    expect(parseEventTime('1735689600.500000000')).toBe(1735689600_500_000_000n);
    expect(parseEventTime('1735689600.5')).toBe(1735689600_500_000_000n);
    expect(parseEventTime('10.000000001')).toBe(10_000_000_001n);
    expect(parseEventTime('')).toBeUndefined();
    expect(parseEventTime(null)).toBeUndefined();
    // -1 seconds is the daemon's "not given".
    expect(parseEventTime('-1')).toBeUndefined();
    expect(parseEventTime('0')).toBe(0n);
  });

  it('refuses what only the CLI understands with strconv\'s error (500)', () => {
    expect(() => parseEventTime('10m')).toThrow(expect.objectContaining({ statusCode: 500, message: 'strconv.ParseInt: parsing "10m": invalid syntax' }));
    expect(() => parseEventTime('2025-01-01T00:00:00Z')).toThrow('strconv.ParseInt: parsing "2025-01-01T00:00:00Z": invalid syntax');
    expect(() => parseEventTime('1.x')).toThrow('strconv.ParseInt: parsing "x": invalid syntax');
    expect(() => parseEventTime('1.')).toThrow('strconv.ParseInt: parsing "": invalid syntax');
    expect(() => parseEventTime('99999999999999999999')).toThrow('strconv.ParseInt: parsing "99999999999999999999": value out of range');
  });
});

function ev(type: ClusterEvent['Type'], action: ClusterEvent['Action'], id: string, attributes: Record<string, string>, timeNano = 1n): ClusterEvent {
  return { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'swarm', timeNano };
}

describe('filters', () => {
  const web = ev('service', 'update', 'wnoxfe6i5ow66unmrf2xhndyi', { name: 'web', 'replicas.old': '3', 'replicas.new': '5' });
  const vm = ev('node', 'update', 'vq89rxodqjgde9h3lug178dm9', { name: 'vm' });
  const secret = ev('secret', 'remove', 'ildez9jjwzks2c7r3ikeua5h3', { name: 'mysecret' });
  const keep = (raw: string) => [web, vm, secret].filter((e) => EventFilter.parse(raw).includes(e)).map((e) => e.Actor.Attributes.name);

  it('takes the CLI\'s map form and dockerode\'s array form alike', () => {
    expect(keep('{"type":{"service":true}}')).toEqual(['web']);
    expect(keep('{"type":["service","node"]}')).toEqual(['web', 'vm']);
    expect(keep('{"scope":{"swarm":true},"event":{"update":true}}')).toEqual(['web', 'vm']);
    expect(keep('{"scope":["local"]}')).toEqual([]);
    expect(keep('')).toEqual(['web', 'vm', 'mysecret']);
    // moby keeps the booleans: an exact match on a value sent as false fails.
    expect(keep('{"type":{"service":false}}')).toEqual([]);
  });

  it('matches object filters on an ID or name prefix, and labels on the attributes', () => {
    expect(keep('{"service":{"we":true}}')).toEqual(['web']);
    expect(keep('{"service":{"wnoxfe":true}}')).toEqual(['web']);
    expect(keep('{"node":{"vm":true}}')).toEqual(['vm']);
    expect(keep('{"secret":{"mysecret":true},"event":{"remove":true}}')).toEqual(['mysecret']);
    expect(keep('{"container":{"abc":true}}')).toEqual([]);
    expect(keep('{"label":{"replicas.new=5":true}}')).toEqual(['web']);
    expect(keep('{"label":{"name":true}}')).toEqual(['web', 'vm', 'mysecret']);
    expect(keep('{"label":{"x=y":true}}')).toEqual([]);
    expect(keep('{"image":{"nginx":true}}')).toEqual([]);
  });

  it('answers anything else with invalid filter (400)', () => {
    for (const raw of ['{', '[]', '"type"', '{"type":"service"}', '{"type":[1]}', '{"type":{"service":"yes"}}', '{"type":{"a":true},"x":["b"]}']) {
      expect(() => EventFilter.parse(raw), raw).toThrow(expect.objectContaining({ statusCode: 400, message: 'invalid filter' }));
    }
  });
});

describe('the remembered events', () => {
  const times = [10n, 20n, 30n, 40n];
  const logWith = () => {
    const log = new ClusterEventLog();
    times.forEach((t, i) => log.publish(ev(i % 2 ? 'node' : 'service', 'update', `id${i}`, { name: `n${i}` }, t)));
    return log;
  };
  const names = (events: ClusterEvent[]) => events.map((e) => e.Actor.Attributes.name);

  it('replays only when since or until is given, within the range and through the filter', () => {
    const log = logWith();
    expect(names(log.subscribe({}, EventFilter.none).buffered)).toEqual([]);
    expect(names(log.subscribe({ since: 20n }, EventFilter.none).buffered)).toEqual(['n1', 'n2', 'n3']);
    expect(names(log.subscribe({ until: 30n }, EventFilter.none).buffered)).toEqual(['n0', 'n1', 'n2']);
    expect(names(log.subscribe({ since: 15n, until: 35n }, EventFilter.none).buffered)).toEqual(['n1', 'n2']);
    expect(names(log.subscribe({ since: 0n }, EventFilter.parse('{"type":["node"]}')).buffered)).toEqual(['n1', 'n3']);
  });

  it('stops the replay at the first event older than since, as moby walks back from the newest', () => {
    const log = logWith();
    log.publish(ev('secret', 'remove', 's', { name: 'late-but-stamped-early' }, 5n));
    log.publish(ev('secret', 'create', 's2', { name: 'last' }, 50n));
    expect(names(log.subscribe({ since: 10n }, EventFilter.none).buffered)).toEqual(['last']);
  });

  it('keeps the last 256 events', () => {
    const log = new ClusterEventLog();
    for (let i = 0; i < EVENTS_LIMIT + 10; i++) log.publish(ev('config', 'create', `c${i}`, { name: `c${i}` }, BigInt(i)));
    const all = log.subscribe({ since: 0n }, EventFilter.none).buffered;
    expect(all).toHaveLength(EVENTS_LIMIT);
    expect(all[0].Actor.ID).toBe('c10');
  });

  it('delivers later events that pass the filter until unsubscribed', () => {
    const log = new ClusterEventLog();
    const got: string[] = [];
    const sub = log.subscribe({}, EventFilter.parse('{"type":{"secret":true}}'), (e) => got.push(e.Actor.ID));
    log.publish(ev('secret', 'create', 'a', { name: 'a' }));
    log.publish(ev('node', 'update', 'b', { name: 'b' }));
    sub.unsubscribe();
    log.publish(ev('secret', 'create', 'c', { name: 'c' }));
    expect(got).toEqual(['a']);
    expect(log.subscriberCount).toBe(0);
  });

  it('follows a store as it applies entries, but not the entries it replays after a restart', () => {
    const log = new ClusterEventLog();
    const store = new MemoryStore();
    const secret = (id: string, name: string) => ({ ID: id, Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Spec: { Name: name } });
    const time = '2026-11-26T09:46:26.151903601Z';
    log.watch(store, new EmulatedClock(), 2);
    store.apply(1, { time, changes: [{ action: 'create', table: 'secret', object: secret('old1', 'before-restart') }] });
    store.apply(2, { time, changes: [{ action: 'create', table: 'secret', object: secret('old2', 'before-restart-too') }] });
    store.apply(3, { time, changes: [{ action: 'create', table: 'secret', object: secret('new', 'after') }, { action: 'delete', table: 'secret', id: 'old1' }] });
    const events = log.subscribe({ since: 0n }, EventFilter.none).buffered;
    expect(events.map((e) => `${e.Action} ${e.Actor.Attributes.name}`)).toEqual(['create after', 'remove before-restart']);
    expect(events[0].timeNano).toBe(parseTimestamp(time));
    // A removal is stamped with this node's clock.
    expect(events[1].timeNano).toBeGreaterThan(parseTimestamp(time));
  });
});

/** GET on a local server; resolves with the response once the headers are in. */
function get(port: number, path: string, host = '127.0.0.1'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET' }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Reads `count` lines of a streaming body (or all of it when it ends first). */
function readLines(res: IncomingMessage, count = Infinity): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const lines = () => text.split('\n').filter((l) => l !== '');
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      if (lines().length >= count) resolve(lines().slice(0, count));
    });
    res.on('end', () => resolve(lines()));
    res.on('error', reject);
  });
}

describe('GET /events over HTTP', () => {
  let server: Server;
  let port: number;
  const log = new ClusterEventLog();
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;

  beforeAll(async () => {
    const routes = new Router();
    registerEventRoutes(routes, log, new EmulatedClock());
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const found = routes.match(req.method ?? 'GET', url.pathname);
      if (!found || found === 'method') return void res.writeHead(404).end();
      const r: Request = { method: req.method ?? 'GET', path: url.pathname, params: found.params, query: url.searchParams, headers: req.headers, body: async () => undefined };
      Promise.resolve()
        .then(() => found.handler(r, res))
        .catch((e) => sendError(res, e));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends a stream whose until has passed, after the remembered events', async () => {
    const t = nowNs() - 10_000_000_000n;
    log.publish(ev('service', 'create', 'svc1', { name: 'web' }, t));
    log.publish(ev('node', 'update', 'node1', { name: 'vm' }, t + 1n));
    const res = await get(port, `/events?since=${t / 1_000_000_000n}&until=${t / 1_000_000_000n + 1n}&filters=${encodeURIComponent('{"type":["service"]}')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const lines = await readLines(res);
    expect(lines.map((l) => JSON.parse(l).Actor.ID)).toEqual(['svc1']);
    expect(lines[0]).toContain(`"timeNano":${t}}`);
  });

  it('streams an event published after the request, and lets go of the subscriber when the client leaves', async () => {
    const res = await get(port, '/events?filters=' + encodeURIComponent('{"type":{"secret":true}}'));
    expect(log.subscriberCount).toBe(1);
    const lines = readLines(res, 1);
    log.publish(ev('node', 'update', 'n', { name: 'skipped' }, nowNs()));
    log.publish(ev('secret', 'create', 'sec1', { name: 'mysecret' }, nowNs()));
    expect(JSON.parse((await lines)[0])).toMatchObject({ Type: 'secret', Action: 'create', Actor: { ID: 'sec1', Attributes: { name: 'mysecret' } }, scope: 'swarm' });
    const closed = new Promise((resolve) => res.once('close', resolve));
    res.destroy();
    await closed;
    await expectEventually(() => log.subscriberCount === 0);
  });

  it('closes a stream when a future until arrives', async () => {
    const until = (Date.now() + 300) / 1000;
    const res = await get(port, `/events?until=${until.toFixed(3)}`);
    log.publish(ev('config', 'create', 'cfg', { name: 'c' }, nowNs()));
    const lines = await readLines(res);
    expect(lines.map((l) => JSON.parse(l).Actor.ID)).toContain('cfg');
    expect(log.subscriberCount).toBe(0);
  });

  it('answers bad parameters with the daemon\'s errors and streams nothing', async () => {
    const cases: [string, number, string][] = [
      ['/events?since=10m', 500, 'strconv.ParseInt: parsing "10m": invalid syntax'],
      ['/events?since=20&until=10', 400, '`since` time (20) cannot be after `until` time (10)'],
      ['/events?filters=%7Bbad', 400, 'invalid filter'],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(port, path);
      expect(res.statusCode, path).toBe(status);
      expect(JSON.parse((await readLines(res)).join(''))).toEqual({ message });
    }
    expect(log.subscriberCount).toBe(0);
  });
});

async function expectEventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- a real cluster ------------------------------------------------------------------------------

const HAS_DOCKER = spawnSync('docker', ['--version']).status === 0;

interface EventLine {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

const unixNow = () => (Date.now() / 1000).toFixed(3);

describe('a cluster streams swarm events on every manager', () => {
  let lab: Lab;
  let addr: (name: string) => string;
  let leader: string;
  let followers: string[];
  let since: string;
  let until: string;
  let serviceId = '';
  let serviceCreatedAt = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    lab = await startLab({ name: 'events', managers: 3, workers: 1 });
    addr = (name) => lab.node(name).spec.addr;
    leader = (await lab.leader())!;
    followers = ['manager1', 'manager2', 'manager3'].filter((m) => m !== leader);
  }, 60_000);
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.pid) child.kill('SIGKILL');
  });
  afterAll(stopAllLabs, 60_000);

  /** Events in [since, until] on a node, through raw HTTP as dockerode asks (no version prefix, array filters). */
  async function rawEvents(node: string, query: string): Promise<string[]> {
    return readLines(await get(2375, `/events?${query}`, addr(node)));
  }

  it('turns service, secret and node changes into events, on the leader and on a follower', async () => {
    const api = lab.client(leader);
    since = (Date.now() / 1000 - 0.5).toFixed(3);
    serviceId = (await api.serviceCreate({ Name: 'evweb', TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } }, Mode: { Replicated: { Replicas: 1 } } })).ID;
    const created = await api.serviceInspect(serviceId);
    serviceCreatedAt = created.CreatedAt;
    await api.serviceUpdate(serviceId, created.Version.Index, { ...created.Spec, Mode: { Replicated: { Replicas: 2 } } });
    const scaled = await api.serviceInspect(serviceId);
    await api.serviceUpdate(serviceId, scaled.Version.Index, {
      ...scaled.Spec,
      TaskTemplate: { ...scaled.Spec.TaskTemplate, ContainerSpec: { ...scaled.Spec.TaskTemplate.ContainerSpec, Image: 'nginx:latest' } },
    });
    await lab.waitFor(async () => (await api.serviceInspect(serviceId)).UpdateStatus?.State === 'completed', 30_000, 'the rolling update to complete');
    const secret = await api.secretCreate({ Name: 'evsecret', Data: Buffer.from('s3cret').toString('base64') });
    await api.secretRemove(secret.ID);
    for (const availability of ['drain', 'active'] as const) {
      const node = await api.nodeInspect('worker1');
      await api.nodeUpdate(node.ID, node.Version.Index, { ...node.Spec, Availability: availability });
    }
    await api.serviceRemove(serviceId);

    // Our objects' events that name a change (bare updates come and go with internal writes).
    const ours = (lines: string[]) =>
      lines
        .map((l) => JSON.parse(l) as EventLine)
        .filter((e) => e.Action !== 'update' || Object.keys(e.Actor.Attributes).length > 1)
        .filter((e) => ['evweb', 'evsecret'].includes(e.Actor.Attributes.name) || (e.Type === 'node' && e.Actor.Attributes['availability.new']))
        .map((e) => `${e.Type} ${e.Action} ${JSON.stringify(e.Actor.Attributes)}`);
    const expected = [
      'service create {"name":"evweb"}',
      'service update {"name":"evweb","replicas.old":"1","replicas.new":"2"}',
      'service update {"name":"evweb","image.old":"nginx:alpine","image.new":"nginx:latest"}',
      'service update {"name":"evweb","updatestate.new":"updating"}',
      'service update {"name":"evweb","updatestate.old":"updating","updatestate.new":"completed"}',
      'secret create {"name":"evsecret"}',
      'secret remove {"name":"evsecret"}',
      'node update {"availability.new":"drain","availability.old":"active","name":"worker1"}',
      'node update {"availability.new":"active","availability.old":"drain","name":"worker1"}',
      'service remove {"name":"evweb"}',
    ];
    const sorted = (list: string[]) => list.map((s) => s.replace(/\{.*\}/, (json) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json)).sort()))));
    // Each manager applies the entries itself: wait until the slowest has applied the removal.
    let onLeader: string[] = [];
    let onFollower: string[] = [];
    await lab.waitFor(async () => {
      until = unixNow();
      onLeader = ours(await rawEvents(leader, `since=${since}&until=${until}`));
      onFollower = ours(await rawEvents(followers[0], `since=${since}&until=${until}`));
      return onLeader.length >= expected.length && onFollower.length >= expected.length;
    }, 10_000, 'every event on both managers');
    expect(onLeader).toEqual(sorted(expected));
    expect(onFollower).toEqual(onLeader);
  }, 60_000);

  it.skipIf(!HAS_DOCKER)('prints the events through the docker CLI with since, until and filters', async () => {
    const run = async (node: string, args: string[]) => {
      const out = await docker(addr(node), ['events', '--since', since, '--until', until, ...args]);
      expect(out!.stderr).toBe('');
      return out!.stdout.split('\n').filter((l) => l !== '');
    };
    const services = await run(followers[0], ['--filter', 'type=service', '--filter', 'scope=swarm']);
    expect(services.length).toBeGreaterThanOrEqual(6);
    const createdNs = parseTimestamp(serviceCreatedAt);
    // The CLI's own format: RFC 3339 time from timeNano, type, action, ID, sorted attributes.
    expect(services[0]).toMatch(new RegExp(`^\\S+ service create ${serviceId} \\(name=evweb\\)$`));
    expect(services.at(-1)).toMatch(new RegExp(`^\\S+ service remove ${serviceId} \\(name=evweb\\)$`));
    expect(services).toContainEqual(expect.stringMatching(/ service update \w+ \(name=evweb, replicas\.new=2, replicas\.old=1\)$/));

    const json = (await run(leader, ['--filter', 'event=update', '--filter', 'label=updatestate.new', '--format', '{{json .}}'])).map(
      (l) => JSON.parse(l) as EventLine,
    );
    expect(json.map((e) => e.Actor.Attributes['updatestate.new'])).toEqual(['updating', 'completed']);
    const secrets = await run(leader, ['--filter', 'secret=evsec', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    expect(secrets).toEqual(['secret create evsecret', 'secret remove evsecret']);
    const drains = await run(followers[1], ['--filter', 'type=node', '--filter', 'node=worker1', '--filter', 'label=availability.new=drain']);
    expect(drains).toEqual([expect.stringMatching(/ node update \w+ \(availability\.new=drain, availability\.old=active, name=worker1\)$/)]);
    // RFC 3339 on the command line: the CLI converts it to seconds.nanoseconds for the daemon.
    const rfc = await run(leader, ['--filter', 'type=service', '--filter', 'event=create', '--format', '{{.TimeNano}}']);
    expect(rfc.map(BigInt)).toContain(createdNs);
  }, 60_000);

  it('answers dockerode-style raw HTTP with exact nanosecond times', async () => {
    const filters = encodeURIComponent('{"type":["service"],"event":["create"]}');
    const lines = await rawEvents(followers[1], `since=${since}&until=${until}&filters=${filters}`);
    const createdNs = parseTimestamp(serviceCreatedAt);
    expect(lines).toContain(
      `{"Type":"service","Action":"create","Actor":{"ID":"${serviceId}","Attributes":{"name":"evweb"}},"scope":"swarm","time":${createdNs / 1_000_000_000n},"timeNano":${createdNs}}`,
    );
  });

  it('streams an event made after the request, on a follower manager', async () => {
    const res = await get(2375, `/v1.47/events?filters=${encodeURIComponent('{"type":{"config":true}}')}`, addr(followers[1]));
    expect(res.statusCode).toBe(200);
    const first = readLines(res, 1);
    const { ID } = await lab.client(leader).configCreate({ Name: 'evconfig', Data: Buffer.from('x=1').toString('base64') });
    const event = JSON.parse((await first)[0]) as EventLine;
    res.destroy();
    expect(event).toMatchObject({ Type: 'config', Action: 'create', Actor: { ID, Attributes: { name: 'evconfig' } }, scope: 'swarm' });
  }, 30_000);

  it.skipIf(!HAS_DOCKER)('follows with the docker CLI: an event made while it waits is printed', async () => {
    const child = spawn('docker', ['events', '--filter', 'type=config', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
      env: { ...process.env, DOCKER_HOST: `tcp://${addr(followers[0])}:2375` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const api = lab.client(leader);
    // The CLI subscribes at some point after it starts: probe until it prints one, then make the real one.
    for (let i = 0; !out.includes('create probe'); i++) {
      if (i >= 50) throw new Error(`docker events printed nothing: ${out}`);
      await api.configCreate({ Name: `probe${i}`, Data: Buffer.from('p').toString('base64') });
      await new Promise((r) => setTimeout(r, 200));
    }
    const cfg = await api.configInspect('evconfig');
    await api.configRemove(cfg.ID);
    await lab.waitFor(() => out.includes('remove evconfig'), 10_000, 'the CLI to print the removal');
    expect(out.split('\n')).toContain('remove evconfig');
  }, 30_000);

  it('forgets its events when restarted, as a restarted dockerd does, and goes on with new ones', async () => {
    const restarted = followers[0];
    await lab.restart(restarted);
    await lab.waitFor(() => lab.allReady(), 30_000, 'the follower back and Ready');
    await lab.client(leader).secretCreate({ Name: 'evafter', Data: Buffer.from('x').toString('base64') });
    const names = async (node: string) =>
      (await rawEvents(node, `since=0&until=${unixNow()}&filters=${encodeURIComponent('{"type":["secret"]}')}`)).map((l) => JSON.parse(l).Actor.Attributes.name);
    await lab.waitFor(async () => (await names(restarted)).includes('evafter'), 10_000, 'the new secret on the restarted manager');
    expect(await names(restarted)).toEqual(['evafter']);
    expect(await names(leader)).toEqual(['evsecret', 'evsecret', 'evafter']);
  }, 40_000);

  it('gives a worker its own engine\'s events only (none of the swarm\'s), and lets the CLI finish on until', async () => {
    const lines = await rawEvents('worker1', `since=${since}&until=${unixNow()}`);
    expect(lines.map((l) => (JSON.parse(l) as { scope: string }).scope).filter((scope) => scope !== 'local')).toEqual([]);
    if (!HAS_DOCKER) return;
    const out = await docker(addr('worker1'), ['events', '--since', since, '--until', unixNow(), '--filter', 'scope=swarm']);
    expect(out).toEqual({ stdout: '', stderr: '' });
  });
});
