// Bad input on every Engine API endpoint the docker CLI uses gets Docker's status and
// `{"message": …}` text, changes nothing in the swarm (every service, node, secret, config,
// network and the swarm object keep their Version.Index and spec), and leaves the node answering
// /_ping. Raw HTTP is used where the CLI would refuse the input itself: other clients (dockerode,
// curl) send anything. The real docker CLI covers what it sends unchecked.
//
// Sources of the expected texts, unless a case says otherwise:
//   BODY   moby api/server/httputils ReadJSON + Go encoding/json (scanner, UnmarshalTypeError)
//   ROUTE  moby api/server/router/swarm/cluster_routes.go (version, booleans)
//   LOOKUP moby daemon/cluster/helpers.go (404 "<kind> X not found", 400 ambiguous)
//   FILTER moby api/types/filters (FromJSON, Validate) and daemon/cluster/filters.go
//   CONVERT moby daemon/cluster/convert (node.go, service.go), SK = swarmkit controlapi
//   ../shared/reference/real-swarm/api-error-responses.txt for the observed ones.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;
let manager: string;
let worker: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Call {
  method: string;
  path: string;
  body?: string | Buffer;
  /** Defaults to application/json when there is a body; null sends none. */
  contentType?: string | null;
  via?: 'manager' | 'worker';
}

/** One request on a fresh connection, answered or not. */
function call(c: Call): Promise<Reply> {
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
  const headers: Record<string, string | number> = {};
  if (body) {
    headers['Content-Length'] = body.length;
    const type = c.contentType === undefined ? 'application/json' : c.contentType;
    if (type !== null) headers['Content-Type'] = type;
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: c.via === 'worker' ? worker : manager, port: 2375, method: c.method, path: c.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function getJson<T>(path: string): Promise<T> {
  const reply = await call({ method: 'GET', path });
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.text}`);
  return JSON.parse(reply.text) as T;
}

interface Versioned {
  ID?: string;
  Id?: string;
  Version?: { Index: number };
  Spec?: unknown;
  Name?: string;
}

/** Everything a bad request must leave alone: each object's Version.Index and spec. */
async function swarmState(): Promise<string> {
  const [services, nodes, secrets, configs, networks, swarm] = await Promise.all([
    getJson<Versioned[]>('/services'),
    getJson<Versioned[]>('/nodes'),
    getJson<Versioned[]>('/secrets'),
    getJson<Versioned[]>('/configs'),
    getJson<Versioned[]>('/networks'),
    getJson<Versioned>('/swarm'),
  ]);
  const key = (o: Versioned) => [o.ID ?? o.Id, o.Version?.Index, o.Spec ?? o.Name];
  // A node's version also moves with what the dispatcher records of it (status, address after a
  // session restart on a busy machine): only its spec is the user's.
  const nodeKey = (o: Versioned) => [o.ID, o.Spec];
  return JSON.stringify({ services: services.map(key), nodes: nodes.map(nodeKey), secrets: secrets.map(key), configs: configs.map(key), networks: networks.map(key), swarm: key(swarm) });
}

/** The state once it stops moving (fixtures just created may still be allocated). */
async function settledState(): Promise<string> {
  let last = await swarmState();
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await swarmState();
    if (next === last) return next;
    last = next;
  }
}

async function expectAlive(): Promise<void> {
  for (const via of ['manager', 'worker'] as const) {
    const ping = await call({ method: 'GET', path: '/_ping', via });
    expect(ping.status).toBe(200);
    expect(ping.text).toBe('OK');
  }
}

interface Refusal extends Call {
  name: string;
  status: number;
  /** The `message` of the JSON error body. */
  message?: string;
  /** A non-JSON answer: the exact body. */
  text?: string;
  location?: string;
}

/** Sends the bad request, checks Docker's answer, and that the swarm did not change. */
async function expectRefused(c: Refusal): Promise<void> {
  const before = await swarmState();
  const reply = await call(c);
  expect(reply.status, reply.text).toBe(c.status);
  if (c.message !== undefined) expect((JSON.parse(reply.text) as { message: string }).message).toBe(c.message);
  if (c.text !== undefined) expect(reply.text).toBe(c.text);
  if (c.location !== undefined) expect(reply.headers.location).toBe(c.location);
  expect(await swarmState()).toBe(before);
  await expectAlive();
}

const IMAGE = 'nginx:alpine';
const spec = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Name: name, TaskTemplate: { ContainerSpec: { Image: IMAGE } }, Mode: { Replicated: { Replicas: 0 } }, ...extra });

beforeAll(async () => {
  lab = await startLab({ name: 'bad-input', managers: 1, workers: 1 });
  manager = lab.node('manager1').spec.addr;
  worker = lab.node('worker1').spec.addr;
  const api = lab.client('manager1');
  await api.serviceCreate({ Name: 'web', TaskTemplate: { ContainerSpec: { Image: IMAGE } }, Mode: { Replicated: { Replicas: 1 } } });
  await api.secretCreate({ Name: 's1', Data: Buffer.from('secret').toString('base64') });
  await api.configCreate({ Name: 'c1', Data: Buffer.from('config').toString('base64') });
  await api.networkCreate({ Name: 'net1', Driver: 'overlay' });
  await lab.waitFor(async () => (await api.taskList({ service: ['web'] })).some((t) => t.Status.State === 'running'), 20_000, 'web running');
  await settledState();
}, 60_000);
afterAll(stopAllLabs, 60_000);

// ---- bodies ---------------------------------------------------------------------------------

/** Every endpoint that reads a JSON body, and the Go type moby decodes it into. */
const BODY_ENDPOINTS: [string, string][] = [
  ['/swarm/init', 'swarm.InitRequest'],
  ['/swarm/join', 'swarm.JoinRequest'],
  ['/swarm/update?version=1', 'swarm.Spec'],
  ['/swarm/unlock', 'swarm.UnlockRequest'],
  ['/services/create', 'swarm.ServiceSpec'],
  ['/services/web/update?version=1', 'swarm.ServiceSpec'],
  ['/nodes/worker1/update?version=1', 'swarm.NodeSpec'],
  ['/secrets/create', 'swarm.SecretSpec'],
  ['/secrets/s1/update?version=1', 'swarm.SecretSpec'],
  ['/configs/create', 'swarm.ConfigSpec'],
  ['/configs/c1/update?version=1', 'swarm.ConfigSpec'],
  ['/networks/create', 'network.CreateRequest'],
];

const MALFORMED: ((type: string) => Omit<Refusal, 'method' | 'path'>)[] = [
  () => ({ name: 'truncated JSON', body: '{"Name":', status: 400, message: 'invalid JSON: unexpected EOF' }),
  () => ({ name: 'malformed JSON', body: '{bad}', status: 400, message: "invalid JSON: invalid character 'b' looking for beginning of object key string" }),
  () => ({ name: 'a bare word', body: 'nope', status: 400, message: "invalid JSON: invalid character 'o' in literal null (expecting 'u')" }),
  (t) => ({ name: 'an array', body: '[{"Name":"x"}]', status: 400, message: `invalid JSON: json: cannot unmarshal array into Go value of type ${t}` }),
  (t) => ({ name: 'a string', body: '"x"', status: 400, message: `invalid JSON: json: cannot unmarshal string into Go value of type ${t}` }),
  (t) => ({ name: 'a number', body: '42', status: 400, message: `invalid JSON: json: cannot unmarshal number into Go value of type ${t}` }),
  () => ({ name: 'two values', body: '{} {}', status: 400, message: 'unexpected content after JSON' }),
  () => ({ name: 'only whitespace', body: '  \n', status: 400, message: 'invalid JSON: got EOF while reading request body' }),
  () => ({ name: 'text/plain', body: '{}', contentType: 'text/plain', status: 400, message: "unsupported Content-Type header (text/plain): must be 'application/json'" }),
  () => ({ name: 'no Content-Type', body: '{}', contentType: null, status: 400, message: 'malformed Content-Type header (): mime: no media type' }),
];

describe('malformed bodies (BODY)', () => {
  const cases = BODY_ENDPOINTS.flatMap(([path, type]) => MALFORMED.map((m) => ({ method: 'POST', path, ...m(type), name: `POST ${path}: ${m(type).name}` })));
  it.each(cases)('$name', expectRefused, 20_000);
});

describe('fields of the wrong JSON type (BODY: the first error in document order)', () => {
  const field = (path: string, body: unknown, message: string): Refusal => ({
    name: `POST ${path} ${JSON.stringify(body)}`,
    method: 'POST',
    path,
    body: JSON.stringify(body),
    status: 400,
    message: `invalid JSON: ${message}`,
  });
  const svc = { Name: 'typed', TaskTemplate: { ContainerSpec: { Image: IMAGE } } };
  it.each([
    field('/services/create', { ...svc, Mode: { Replicated: { Replicas: '3' } } }, 'json: cannot unmarshal string into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64'),
    field('/services/create', { ...svc, Labels: [] }, 'json: cannot unmarshal array into Go struct field ServiceSpec.Labels of type map[string]string'),
    field('/services/create', { ...svc, Labels: { tier: 1 } }, 'json: cannot unmarshal number into Go struct field ServiceSpec.Labels of type string'),
    field('/services/create', { ...svc, TaskTemplate: { ContainerSpec: { Image: IMAGE, Env: 'A=1' } } }, 'json: cannot unmarshal string into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Env of type []string'),
    field('/services/create', { ...svc, TaskTemplate: { ContainerSpec: { Image: 42 } } }, 'json: cannot unmarshal number into Go struct field ContainerSpec.TaskTemplate.ContainerSpec.Image of type string'),
    field('/services/create', { ...svc, Mode: { Global: true } }, 'json: cannot unmarshal bool into Go struct field ServiceMode.Mode.Global of type swarm.GlobalService'),
    field('/services/create', { ...svc, UpdateConfig: { Parallelism: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field UpdateConfig.UpdateConfig.Parallelism of type uint64'),
    field('/services/create', { ...svc, TaskTemplate: { ContainerSpec: { Image: IMAGE }, RestartPolicy: { Delay: '5s' } } }, 'json: cannot unmarshal string into Go struct field RestartPolicy.TaskTemplate.RestartPolicy.Delay of type time.Duration'),
    field('/services/web/update?version=1', { ...svc, TaskTemplate: { ContainerSpec: { Image: IMAGE }, ForceUpdate: -1 } }, 'json: cannot unmarshal number -1 into Go struct field TaskSpec.TaskTemplate.ForceUpdate of type uint64'),
    field('/nodes/worker1/update?version=1', { Labels: [], Role: 'worker', Availability: 'active' }, 'json: cannot unmarshal array into Go struct field NodeSpec.Labels of type map[string]string'),
    field('/nodes/worker1/update?version=1', { Role: 5 }, 'json: cannot unmarshal number into Go struct field NodeSpec.Role of type swarm.NodeRole'),
    field('/secrets/create', { Name: 'typed', Data: 5 }, 'json: cannot unmarshal number into Go struct field SecretSpec.Data of type []uint8'),
    // []byte is base64 in Go's JSON: encoding/base64 CorruptInputError.
    field('/secrets/create', { Name: 'typed', Data: '!!!' }, 'illegal base64 data at input byte 0'),
    field('/secrets/create', { Name: 'typed', Data: 'YQ=' }, 'illegal base64 data at input byte 3'),
    field('/secrets/s1/update?version=1', { Name: 's1', Labels: { a: true } }, 'json: cannot unmarshal bool into Go struct field SecretSpec.Labels of type string'),
    field('/configs/create', { Name: 'typed', Data: true }, 'json: cannot unmarshal bool into Go struct field ConfigSpec.Data of type []uint8'),
    field('/swarm/update?version=1', { Orchestration: { TaskHistoryRetentionLimit: '5' } }, 'json: cannot unmarshal string into Go struct field OrchestrationConfig.Orchestration.TaskHistoryRetentionLimit of type int64'),
    field('/swarm/update?version=1', { Dispatcher: { HeartbeatPeriod: '5s' } }, 'json: cannot unmarshal string into Go struct field DispatcherConfig.Dispatcher.HeartbeatPeriod of type time.Duration'),
    field('/networks/create', { Name: 'typed', Driver: 'overlay', Attachable: 'yes' }, 'json: cannot unmarshal string into Go struct field CreateRequest.Attachable of type bool'),
    field('/networks/create', { Name: 'typed', Driver: 'overlay', Labels: [] }, 'json: cannot unmarshal array into Go struct field CreateRequest.Labels of type map[string]string'),
    field('/networks/create', { Name: 'typed', Driver: 'overlay', IPAM: { Config: [{ Subnet: 24 }] } }, 'json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string'),
    field('/swarm/init', { ListenAddr: '0.0.0.0:2377', DataPathPort: -1 }, 'json: cannot unmarshal number -1 into Go struct field InitRequest.DataPathPort of type uint32'),
    field('/swarm/join', { RemoteAddrs: '127.0.0.1:2377' }, 'json: cannot unmarshal string into Go struct field JoinRequest.RemoteAddrs of type []string'),
    field('/swarm/unlock', { UnlockKey: 5 }, 'json: cannot unmarshal number into Go struct field UnlockRequest.UnlockKey of type string'),
  ])('$name', expectRefused, 20_000);
});

describe('published ports out of range', () => {
  const ports = (p: unknown) => JSON.stringify({ Name: 'ports', TaskTemplate: { ContainerSpec: { Image: IMAGE } }, EndpointSpec: { Ports: [p] } });
  const refused = (p: unknown, message: string): Refusal => ({
    name: JSON.stringify(p),
    method: 'POST',
    path: '/services/create',
    body: ports(p),
    status: 400,
    message,
  });
  it.each([
    // PortConfig ports are uint32 (BODY).
    refused({ TargetPort: -1 }, 'invalid JSON: json: cannot unmarshal number -1 into Go struct field PortConfig.EndpointSpec.Ports.TargetPort of type uint32'),
    refused({ TargetPort: 80, PublishedPort: -1 }, 'invalid JSON: json: cannot unmarshal number -1 into Go struct field PortConfig.EndpointSpec.Ports.PublishedPort of type uint32'),
    refused({ TargetPort: 80, PublishedPort: 4294967296 }, 'invalid JSON: json: cannot unmarshal number 4294967296 into Go struct field PortConfig.EndpointSpec.Ports.PublishedPort of type uint32'),
    refused({ TargetPort: '80' }, 'invalid JSON: json: cannot unmarshal string into Go struct field PortConfig.EndpointSpec.Ports.TargetPort of type uint32'),
    refused({ TargetPort: 80, Protocol: 6 }, 'invalid JSON: json: cannot unmarshal number into Go struct field PortConfig.EndpointSpec.Ports.Protocol of type swarm.PortConfigProtocol'),
  ])('$name', expectRefused, 20_000);

  it('refuses dnsrr with an ingress port (SK validateEndpointSpec)', async () => {
    const body = JSON.stringify({ Name: 'ports', TaskTemplate: { ContainerSpec: { Image: IMAGE } }, EndpointSpec: { Mode: 'dnsrr', Ports: [{ TargetPort: 80 }] } });
    await expectRefused({ name: 'dnsrr', method: 'POST', path: '/services/create', body, status: 400, message: "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode" });
  });

  it('takes 65536 as Docker does: it fits Go\'s uint32 and only SwarmKit\'s port allocator refuses it later', async () => {
    const reply = await call({ method: 'POST', path: '/services/create', body: spec('port-65536', { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 65536 }] } }) });
    expect(reply.status, reply.text).toBe(201);
    const { ID } = JSON.parse(reply.text) as { ID: string };
    expect((await call({ method: 'DELETE', path: `/services/${ID}` })).status).toBe(200);
    await expectAlive();
  });
});

describe('?version= (ROUTE: strconv.ParseUint, after the body is read)', () => {
  const update = (path: string, body: string, raw: string | undefined, message: string): Refusal => ({
    name: `POST ${path}?version=${raw ?? '(none)'}`,
    method: 'POST',
    path: raw === undefined ? path : `${path}?version=${raw}`,
    body,
    status: 400,
    message,
  });
  const svc = spec('web');
  const node = JSON.stringify({ Role: 'worker', Availability: 'active' });
  it.each([
    update('/services/web/update', svc, undefined, 'invalid service version \'\': strconv.ParseUint: parsing "": invalid syntax'),
    update('/services/web/update', svc, '-1', 'invalid service version \'-1\': strconv.ParseUint: parsing "-1": invalid syntax'),
    update('/services/web/update', svc, 'abc', 'invalid service version \'abc\': strconv.ParseUint: parsing "abc": invalid syntax'),
    update('/services/web/update', svc, '1.5', 'invalid service version \'1.5\': strconv.ParseUint: parsing "1.5": invalid syntax'),
    update('/services/web/update', svc, '99999999999999999999', 'invalid service version \'99999999999999999999\': strconv.ParseUint: parsing "99999999999999999999": value out of range'),
    update('/nodes/worker1/update', node, undefined, 'invalid node version \'\': strconv.ParseUint: parsing "": invalid syntax'),
    update('/nodes/worker1/update', node, '-3', 'invalid node version \'-3\': strconv.ParseUint: parsing "-3": invalid syntax'),
    update('/swarm/update', '{}', undefined, 'invalid swarm version \'\': strconv.ParseUint: parsing "": invalid syntax'),
    update('/swarm/update', '{}', 'x', 'invalid swarm version \'x\': strconv.ParseUint: parsing "x": invalid syntax'),
    update('/secrets/s1/update', '{"Name":"s1"}', 'abc', 'invalid secret version'),
    update('/configs/c1/update', '{"Name":"c1"}', '', 'invalid config version'),
  ])('$name', expectRefused, 20_000);

  it('answers a stale version with "update out of sequence" (OBSERVED, 500)', async () => {
    const web = await getJson<{ ID: string; Version: { Index: number }; Spec: unknown }>('/services/web');
    const node = await getJson<{ ID: string; Version: { Index: number }; Spec: unknown }>('/nodes/worker1');
    for (const [path, body] of [
      [`/services/${web.ID}/update?version=${web.Version.Index - 1}`, JSON.stringify(web.Spec)],
      [`/nodes/${node.ID}/update?version=${node.Version.Index - 1}`, JSON.stringify(node.Spec)],
    ]) {
      await expectRefused({ name: path, method: 'POST', path, body, status: 500, message: 'rpc error: code = Unknown desc = update out of sequence' });
    }
  });
});

describe('unknown IDs (LOOKUP: 404 per object kind)', () => {
  const missing = (method: string, path: string, message: string, body?: string): Refusal => ({ name: `${method} ${path}`, method, path, body, status: 404, message });
  it.each([
    missing('GET', '/services/nope', 'service nope not found'),
    missing('GET', '/v1.47/services/0123456789abcdefghijklmno', 'service 0123456789abcdefghijklmno not found'),
    missing('DELETE', '/services/nope', 'service nope not found'),
    missing('POST', '/services/nope/update?version=1', 'service nope not found', spec('nope')),
    missing('GET', '/services/nope/logs?stdout=1', 'service nope not found'),
    missing('GET', '/tasks/nope', 'task nope not found'),
    missing('GET', '/tasks/nope/logs?stdout=1', 'task nope not found'),
    missing('GET', '/nodes/nope', 'node nope not found'),
    missing('DELETE', '/nodes/nope?force=1', 'node nope not found'),
    missing('POST', '/nodes/nope/update?version=1', 'node nope not found', JSON.stringify({ Role: 'worker', Availability: 'active' })),
    missing('GET', '/secrets/nope', 'secret nope not found'),
    missing('DELETE', '/secrets/nope', 'secret nope not found'),
    missing('POST', '/secrets/nope/update?version=1', 'secret nope not found', '{"Name":"nope"}'),
    missing('GET', '/configs/nope', 'config nope not found'),
    missing('DELETE', '/configs/nope', 'config nope not found'),
    missing('POST', '/configs/nope/update?version=1', 'config nope not found', '{"Name":"nope"}'),
    missing('GET', '/networks/nope', 'network nope not found'),
    missing('DELETE', '/networks/nope', 'network nope not found'),
  ])('$name', expectRefused, 20_000);
});

describe('invalid and taken names', () => {
  const create = (path: string, body: unknown, status: number, message: string): Refusal => ({
    name: `POST ${path} ${JSON.stringify(body).slice(0, 60)}`,
    method: 'POST',
    path,
    body: JSON.stringify(body),
    status,
    message,
  });
  const task = { ContainerSpec: { Image: IMAGE } };
  const data = Buffer.from('x').toString('base64');
  it.each([
    // OBSERVED, and FACTS §8 (SK controlapi).
    create('/services/create', { Name: 'bad name', TaskTemplate: task }, 400, 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'),
    create('/services/create', { Name: '-web', TaskTemplate: task }, 400, 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'),
    create('/services/create', { Name: 'a'.repeat(64), TaskTemplate: task }, 400, 'rpc error: code = InvalidArgument desc = name must be 63 characters or fewer'),
    create('/services/create', { Name: 'web', TaskTemplate: task }, 409, 'rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists'),
    create('/secrets/create', { Name: 'bad name', Data: data }, 400, 'rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]'),
    create('/secrets/create', { Name: 'a'.repeat(65), Data: data }, 400, 'rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]'),
    create('/secrets/create', { Data: data }, 400, 'rpc error: code = InvalidArgument desc = name must be provided'),
    create('/secrets/create', { Name: 's1', Data: data }, 409, 'rpc error: code = AlreadyExists desc = secret s1 already exists'),
    create('/configs/create', { Name: '.c', Data: data }, 400, 'rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]'),
    create('/networks/create', { Name: 'bad name!', Driver: 'overlay' }, 400, 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'),
  ])('$name', expectRefused, 20_000);
});

describe('values outside an enumeration (CONVERT)', () => {
  const post = (path: string, body: unknown, status: number, message: string): Refusal => ({
    name: `POST ${path} ${JSON.stringify(body).slice(0, 80)}`,
    method: 'POST',
    path,
    body: JSON.stringify(body),
    status,
    message,
  });
  const svc = { Name: 'enum', TaskTemplate: { ContainerSpec: { Image: IMAGE } } };
  it.each([
    post('/services/create', { ...svc, EndpointSpec: { Mode: 'foo' } }, 400, 'invalid resolution mode: "foo"'),
    post('/services/create', { ...svc, TaskTemplate: { ...svc.TaskTemplate, RestartPolicy: { Condition: 'sometimes' } } }, 400, 'invalid RestartCondition: "sometimes"'),
    post('/services/create', { ...svc, UpdateConfig: { FailureAction: 'explode' } }, 400, 'unrecognized update failure action explode'),
    post('/services/create', { ...svc, Mode: { Replicated: {}, Global: {} } }, 400, 'must specify only one service mode'),
    post('/services/web/update?version=1', { ...svc, Name: 'web', EndpointSpec: { Mode: 'foo' } }, 400, 'invalid resolution mode: "foo"'),
    // The node spec is converted before the node is looked up (moby daemon/cluster/nodes.go).
    post('/nodes/worker1/update?version=1', { Role: 'worker', Availability: 'foo' }, 400, 'invalid Availability: "foo"'),
    post('/nodes/worker1/update?version=1', { Role: 'foo', Availability: 'active' }, 400, 'invalid Role: "foo"'),
    post('/nodes/worker1/update?version=1', {}, 400, 'invalid Role: ""'),
    post('/nodes/nope/update?version=1', { Role: 'boss' }, 400, 'invalid Role: "boss"'),
    post('/swarm/update?version=1', { Name: 'other' }, 400, 'swarm spec must be named "default"'),
    post('/swarm/update?version=1', { CAConfig: { ExternalCAs: [{ Protocol: 'acme', URL: 'https://ca' }] } }, 400, 'invalid protocol: "acme"'),
  ])('$name', expectRefused, 20_000);
});

describe('bad CIDRs (moby api/types/network ValidateIPAM)', () => {
  const net = (config: unknown, message: string): Refusal => ({
    name: JSON.stringify(config),
    method: 'POST',
    path: '/networks/create',
    body: JSON.stringify({ Name: 'cidr', Driver: 'overlay', IPAM: { Config: [config] } }),
    status: 400,
    message: `invalid network config:\n${message}`,
  });
  it.each([
    net({ Subnet: '10.0.0.0/33' }, 'invalid subnet 10.0.0.0/33: invalid CIDR block notation'),
    net({ Subnet: 'foo' }, 'invalid subnet foo: invalid CIDR block notation'),
    net({ Subnet: '10.99.0.0/24', Gateway: '10.98.0.1' }, "invalid gateway 10.98.0.1: parent subnet 10.99.0.0/24 doesn't contain this address"),
  ])('$name', expectRefused, 20_000);
});

describe('filters and query booleans', () => {
  const get = (path: string, status: number, message: string): Refusal => ({ name: `GET ${path}`, method: 'GET', path, status, message });
  const q = (filters: unknown) => encodeURIComponent(typeof filters === 'string' ? filters : JSON.stringify(filters));
  it.each([
    // FILTER: not JSON, neither the map nor the legacy array form, or a key the endpoint does not know.
    get(`/services?filters=${q('nope')}`, 400, 'invalid filter'),
    get(`/services?filters=${q({ name: 'web' })}`, 400, 'invalid filter'),
    get(`/services?filters=${q({ name: { web: 'yes' } })}`, 400, 'invalid filter'),
    get(`/services?filters=${q({ name: { web: true }, id: ['x'] })}`, 400, 'invalid filter'),
    get(`/services?filters=${q({ bogus: ['x'] })}`, 400, "invalid filter 'bogus'"),
    get(`/tasks?filters=${q([])}`, 400, 'invalid filter'),
    get(`/nodes?filters=${q({ name: [1] })}`, 400, 'invalid filter'),
    get(`/configs?filters=${q({ names: ['c1'] })}`, 400, "invalid filter 'names'"),
    get(`/secrets?filters=${q({ mode: ['x'] })}`, 400, "invalid filter 'mode'"),
    get(`/networks?filters=${q({ bogus: ['x'] })}`, 400, "invalid filter 'bogus'"),
    // daemon/cluster/filters.go: plain errors, so 500.
    get(`/nodes?filters=${q({ role: ['boss'] })}`, 500, "Invalid role filter: 'boss'"),
    get(`/nodes?filters=${q({ membership: ['maybe'] })}`, 500, "Invalid membership filter: 'maybe'"),
    get(`/tasks?filters=${q({ 'desired-state': ['sleeping'] })}`, 500, "Invalid desired-state filter: 'sleeping'"),
    // ROUTE: strconv.ParseBool, not the lenient BoolValue.
    get('/services?status=maybe', 400, 'invalid value for status: maybe: strconv.ParseBool: parsing "maybe": invalid syntax'),
    get('/services/web?insertDefaults=yes', 400, 'invalid value for insertDefaults: yes: strconv.ParseBool: parsing "yes": invalid syntax'),
    get('/networks/net1?verbose=maybe', 400, 'invalid value for verbose: maybe: strconv.ParseBool: parsing "maybe": invalid syntax'),
    // moby api/types/time ParseTimestamps: a plain strconv error.
    get('/events?since=yesterday', 500, 'strconv.ParseInt: parsing "yesterday": invalid syntax'),
    get(`/events?until=1&filters=${q('nope')}`, 400, 'invalid filter'),
  ])('$name', expectRefused, 20_000);

  it.each([
    ['rotateWorkerToken=maybe', 'invalid value for rotateWorkerToken: maybe'],
    ['rotateManagerToken=2', 'invalid value for rotateManagerToken: 2'],
    ['rotateManagerUnlockKey=on', 'invalid value for rotateManagerUnlockKey: on'],
  ])('refuses swarm update ?%s (ROUTE)', async (query, message) => {
    await expectRefused({ name: query, method: 'POST', path: `/swarm/update?version=1&${query}`, body: '{}', status: 400, message });
  });

  it('refuses the update options the daemon checks once it found the service (moby daemon/cluster/services.go, 500)', async () => {
    const body = spec('web');
    await expectRefused({ name: 'rollback', method: 'POST', path: '/services/web/update?version=1&rollback=foo', body, status: 500, message: 'unrecognized rollback option foo' });
    await expectRefused({ name: 'auth', method: 'POST', path: '/services/web/update?version=1&registryAuthFrom=bar', body, status: 500, message: 'unsupported registryAuthFrom value' });
    await expectRefused({ name: 'no previous', method: 'POST', path: '/services/web/update?version=1&registryAuthFrom=previous-spec', body, status: 500, message: 'service does not have a previous spec' });
    // The lookup comes first.
    await expectRefused({ name: 'unknown', method: 'POST', path: '/services/nope/update?version=1&rollback=foo', body, status: 404, message: 'service nope not found' });
  });

  it('reads force= the lenient way and accepts every spelling Go does', async () => {
    await expectRefused({ name: 'force', method: 'DELETE', path: '/nodes/nope?force=maybe', status: 404, message: 'node nope not found' });
    for (const path of ['/services?status=True', '/services?status=0', '/services/web?insertDefaults=T', '/services?filters=null', `/nodes?filters=${q({ role: ['Manager', ''] })}`]) {
      expect((await call({ method: 'GET', path })).status, path).toBe(200);
    }
    const managers = await getJson<unknown[]>(`/nodes?filters=${q({ role: ['MANAGER'] })}`);
    expect(managers).toHaveLength(1);
    // An unknown mode is no error: it matches no service (filters.Args.ExactMatch).
    expect(await getJson<unknown[]>(`/services?filters=${q({ mode: ['boss'] })}`)).toEqual([]);
  });
});

describe('paths (Go net/http and gorilla/mux, before any handler)', () => {
  it.each<Refusal>([
    { name: 'a bad %-escape', method: 'GET', path: '/services/%E0%A4%A', status: 400, text: '400 Bad Request' },
    { name: 'a bad %-escape, DELETE', method: 'DELETE', path: '/secrets/s1%zz', status: 400, text: '400 Bad Request' },
    { name: '.. in the path', method: 'GET', path: '/services/../nodes', status: 301, location: '/nodes' },
    { name: 'escaped .. in an ID', method: 'DELETE', path: '/services/..%2Fsecrets%2Fs1', status: 301, location: '/secrets/s1' },
    { name: 'escaped .. with a version prefix', method: 'GET', path: '/v1.47/secrets/..%2F..%2Fswarm?x=1', status: 301, location: '/swarm?x=1' },
    { name: 'a double slash', method: 'DELETE', path: '//services/web', status: 301, location: '/services/web' },
    { name: 'an escaped slash in an ID', method: 'GET', path: '/services/a%2Fb', status: 404, message: 'page not found' },
    { name: 'a NUL in an ID', method: 'GET', path: '/services/a%00b', status: 404, message: 'service a\u0000b not found' },
    { name: 'an emoji ID', method: 'GET', path: '/nodes/%F0%9F%90%B3', status: 404, message: 'node 🐳 not found' },
    { name: 'quotes in an ID', method: 'DELETE', path: "/secrets/x'%20OR%20'1'%3D'1", status: 404, message: "secret x' OR '1'='1 not found" },
    { name: 'a method the path does not take', method: 'PUT', path: '/services', status: 404, message: 'page not found' },
    { name: 'DELETE /swarm', method: 'DELETE', path: '/swarm', status: 404, message: 'page not found' },
    { name: 'POST /_ping', method: 'POST', path: '/_ping', status: 404, message: 'page not found' },
    { name: 'an unknown path', method: 'GET', path: '/v1.47/nope', status: 404, message: 'page not found' },
  ])('$name', expectRefused, 20_000);
});

describe('ambiguous ID prefixes (LOOKUP: 400 "<kind> X is ambiguous (N matches found)")', () => {
  /** Creates objects until two IDs share a first character (37 suffice: IDs are base36); returns it. */
  async function sharedFirstChar(ids: () => Promise<string[]>, create: (i: number) => Promise<unknown>): Promise<string> {
    for (let i = 0; i <= 37; i++) {
      const counts = new Map<string, number>();
      for (const id of await ids()) counts.set(id[0], (counts.get(id[0]) ?? 0) + 1);
      const shared = [...counts].find(([, n]) => n > 1);
      if (shared) return shared[0];
      await create(i);
    }
    throw new Error('no two IDs share a first character');
  }
  const idsOf = async (path: string) => (await getJson<Versioned[]>(path)).map((o) => (o.ID ?? o.Id)!);
  const matching = async (path: string, prefix: string) => (await idsOf(path)).filter((id) => id.startsWith(prefix)).length;

  it('refuses a prefix that several services, secrets or configs share', async () => {
    const api = lab.client('manager1');
    const data = Buffer.from('x').toString('base64');
    const kinds = [
      { kind: 'service', path: '/services', create: (i: number) => call({ method: 'POST', path: '/services/create', body: spec(`amb${i}`) }), body: spec('web') },
      { kind: 'secret', path: '/secrets', create: (i: number) => api.secretCreate({ Name: `amb${i}`, Data: data }), body: '{}' },
      { kind: 'config', path: '/configs', create: (i: number) => api.configCreate({ Name: `amb${i}`, Data: data }), body: '{}' },
    ];
    for (const { kind, path, create, body } of kinds) {
      const prefix = await sharedFirstChar(() => idsOf(path), create);
      await settledState();
      const message = `${kind} ${prefix} is ambiguous (${await matching(path, prefix)} matches found)`;
      await expectRefused({ name: `GET ${kind}`, method: 'GET', path: `${path}/${prefix}`, status: 400, message });
      await expectRefused({ name: `DELETE ${kind}`, method: 'DELETE', path: `${path}/${prefix}`, status: 400, message });
      await expectRefused({ name: `update ${kind}`, method: 'POST', path: `${path}/${prefix}/update?version=1`, body, status: 400, message });
    }
  }, 60_000);

  it("refuses a network prefix with the network router's text (moby api/server/router/network)", async () => {
    const api = lab.client('manager1');
    const prefix = await sharedFirstChar(
      async () => (await api.networkList({ scope: ['swarm'] })).map((n) => n.Id),
      (i) => api.networkCreate({ Name: `amb${i}`, Driver: 'overlay' }),
    );
    await settledState();
    const message = `${await matching('/networks', prefix)} matches found based on ID prefix: network ${prefix} is ambiguous`;
    await expectRefused({ name: 'GET network', method: 'GET', path: `/networks/${prefix}`, status: 400, message });
    await expectRefused({ name: 'DELETE network', method: 'DELETE', path: `/networks/${prefix}`, status: 400, message });
  }, 60_000);
});

describe('huge bodies', () => {
  // SK manager/state/raft: a proposal over MaxTransactionBytes (1.5 MiB) is refused with
  // ErrRequestTooLarge (a real 20.10 swarm answers a 3 MiB label so). A real daemon refuses
  // requests over 4 MiB earlier, at the manager's gRPC limit ("rpc error: code = ResourceExhausted
  // desc = grpc: received message larger than max (N vs. 4194304)", N the protobuf size, 500);
  // swarmlab keeps the status but says the store's text, having no protobuf encoding to size.
  // Past 16 MiB the node does not even decode the body.
  const tooLarge = 'rpc error: code = Unknown desc = raft: raft message is too large and can\'t be sent';

  it('refuses 20 MB without falling over, and answers (no reset)', async () => {
    const secret = Buffer.from(JSON.stringify({ Name: 'huge', Data: Buffer.alloc(15 * 1024 * 1024, 7).toString('base64') }));
    expect(secret.length).toBeGreaterThan(20 * 1024 * 1024);
    await expectRefused({ name: 'secret', method: 'POST', path: '/secrets/create', body: secret, status: 500, message: tooLarge });
    const service = Buffer.from(spec('huge', { Labels: { big: 'x'.repeat(20 * 1024 * 1024) } }));
    await expectRefused({ name: 'service', method: 'POST', path: '/services/create', body: service, status: 500, message: tooLarge });
  }, 30_000);

  it('checks what it decodes first: a 2 MB secret is over the secret size limit, a 3 MB label over the store\'s', async () => {
    const secret = JSON.stringify({ Name: 'big', Data: Buffer.alloc(2 * 1024 * 1024, 7).toString('base64') });
    await expectRefused({ name: 'secret', method: 'POST', path: '/secrets/create', body: secret, status: 400, message: 'rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes' });
    const service = spec('big', { Labels: { big: 'x'.repeat(3 * 1024 * 1024) } });
    await expectRefused({ name: 'service', method: 'POST', path: '/services/create', body: service, status: 500, message: tooLarge });
  }, 30_000);
});

describe('the docker CLI: what it sends unchecked, and what it refuses itself', () => {
  /** Runs the CLI (skipped when it is not installed) and checks the swarm did not change. */
  async function cli(args: string[]): Promise<{ stdout: string; stderr: string } | undefined> {
    const before = await swarmState();
    const out = await docker(manager, args);
    if (out) expect(await swarmState()).toBe(before);
    await expectAlive();
    return out;
  }

  it('prints the daemon\'s refusals', async () => {
    const cases: [string[], string][] = [
      [['service', 'create', '-d', '--name', 'ep', '--endpoint-mode', 'foo', IMAGE], 'Error response from daemon: invalid resolution mode: "foo"'],
      [['node', 'update', '--availability', 'foo', 'worker1'], 'Error response from daemon: invalid Availability: "foo"'],
      [['node', 'update', '--role', 'foo', 'worker1'], 'Error response from daemon: invalid Role: "foo"'],
      [['network', 'create', '-d', 'overlay', '--subnet', '10.0.0.0/33', 'cidr'], 'Error response from daemon: invalid network config:\ninvalid subnet 10.0.0.0/33: invalid CIDR block notation'],
      [['network', 'create', '-d', 'overlay', '--subnet', 'foo', 'cidr'], 'Error response from daemon: invalid network config:\ninvalid subnet foo: invalid CIDR block notation'],
      [['service', 'rm', 'nope'], 'Error response from daemon: service nope not found'],
      [['node', 'rm', 'nope'], 'Error response from daemon: node nope not found'],
      [['secret', 'create', 'bad name', '/etc/hostname'], 'Error response from daemon: rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]'],
    ];
    for (const [args, message] of cases) {
      const out = await cli(args);
      if (!out) return;
      expect(out.stderr, args.join(' ')).toContain(message);
    }
  }, 60_000);

  it('refuses ports out of range before sending anything', async () => {
    for (const [port, message] of [
      ['-1:80', 'invalid argument "-1:80" for "-p, --publish" flag: invalid hostPort: -1'],
      ['0:65536', 'invalid argument "0:65536" for "-p, --publish" flag: invalid containerPort: 65536'],
    ]) {
      const out = await cli(['service', 'create', '-d', '-p', port, IMAGE]);
      if (!out) return;
      expect(out.stderr).toContain(message);
    }
  }, 30_000);
});

describe('clients that are not the CLI', () => {
  it('ignores unknown body fields and query keys, and matches field names case-insensitively (Go)', async () => {
    const node = await getJson<{ ID: string; Version: { Index: number }; Spec: Record<string, unknown> }>('/nodes/worker1');
    const body = JSON.stringify({ ...node.Spec, labels: { zone: 'a' }, Bogus: 1, version: 99 });
    const reply = await call({ method: 'POST', path: `/nodes/${node.ID}/update?version=${node.Version.Index}&bogus=1&Name=x`, body });
    expect(reply.status, reply.text).toBe(200);
    const after = await getJson<{ Spec: Record<string, unknown> }>('/nodes/worker1');
    expect(after.Spec).toEqual({ Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' });

    const created = await call({
      method: 'POST',
      path: '/services/create?TaskTemplate=junk',
      body: JSON.stringify({ name: 'lower', tasktemplate: { containerspec: { image: IMAGE, Bogus: true } }, MODE: { Replicated: { replicas: 0 } }, Extra: [1] }),
    });
    expect(created.status, created.text).toBe(201);
    const svc = await getJson<{ Spec: { Name: string; TaskTemplate: { ContainerSpec: Record<string, unknown> }; Mode: unknown } }>('/services/lower');
    expect(svc.Spec.Name).toBe('lower');
    expect(svc.Spec.TaskTemplate.ContainerSpec).toEqual({ Image: IMAGE, Isolation: 'default' });
    expect(svc.Spec.Mode).toEqual({ Replicated: { Replicas: 0 } });
    await expectAlive();
  });

  it('decodes the body before a worker says it is not a manager', async () => {
    await expectRefused({ name: 'bad json', via: 'worker', method: 'POST', path: '/services/create', body: '{bad', status: 400, message: "invalid JSON: invalid character 'b' looking for beginning of object key string" });
    await expectRefused({
      name: 'valid',
      via: 'worker',
      method: 'POST',
      path: '/services/create',
      body: spec('from-worker'),
      status: 503,
      message: "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    });
    await expectRefused({ name: 'version', via: 'worker', method: 'POST', path: '/nodes/worker1/update?version=x', body: '{}', status: 400, message: 'invalid node version \'x\': strconv.ParseUint: parsing "x": invalid syntax' });
  });
});
