// The scripted scenario both swarms go through: the swarm and its node, secrets, configs,
// overlay networks, services (create, list, tasks, inspect, update, scale, rollback, remove), a
// service no node can take, objects refused while in use, and the errors the daemon must give.
//
// Service flags are chosen for a real 20.10 engine without registry or IPVS: --no-resolve-image,
// --endpoint-mode dnsrr and --publish mode=host. `sleep` ignores SIGTERM as PID 1, so a short
// --stop-grace-period keeps every replacement quick on the real engine.

import type { Scenario, Settle, Step } from './steps.js';

/** The lines of one top-level section of `docker info` ("Swarm: active" and what is indented under it). */
export function infoSection(title: string): (stdout: string) => string {
  return (stdout) => {
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith(` ${title}:`));
    if (start < 0) return '';
    const end = lines.findIndex((l, i) => i > start && /^ \S/.test(l));
    return lines.slice(start, end < 0 ? undefined : end).join('\n');
  };
}

/**
 * What attached `service create` output says regardless of timing: the ID, the final count of
 * `overall progress` and the verdict. How many intermediate lines appear depends on poll timing.
 */
export function progressOutcome(stdout: string): string {
  const lines = stdout.split('\n');
  const progress = lines.filter((l) => l.startsWith('overall progress:'));
  const timingFree = lines.filter((l) => !l.startsWith('overall progress:') && !/^\d+\/\d+:/.test(l) && !l.startsWith('verify: Waiting'));
  return [...timingFree.slice(0, 1), ...progress.slice(-1), ...timingFree.slice(1)].join('\n');
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const tasksOf = (service: string): string => `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { [service]: true } }))}`;

/** Task lists in an order that depends neither on IDs nor on timing: slot, then desired and observed state. */
const TASK_ORDER = ['Slot', 'DesiredState', 'Status.State'];

/**
 * Task lists with each network's addresses handed out in slot order. SwarmKit's allocator takes a
 * new service's tasks from a map, so which slot gets which address varies run to run on the real
 * daemon; the set of addresses per network is what both must agree on.
 */
export function addressesInSlotOrder(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  type Attachment = { Network?: { ID?: string }; Addresses?: string[] };
  const tasks = structuredClone(value) as { NetworksAttachments?: Attachment[] }[];
  const byNetwork = new Map<string, Attachment[]>();
  for (const a of tasks.flatMap((task) => task?.NetworksAttachments ?? [])) {
    const id = a.Network?.ID ?? '';
    byNetwork.set(id, [...(byNetwork.get(id) ?? []), a]);
  }
  const ipOrder = (address: string): number[] => address.split(/[./]/).map(Number);
  const byIp = (x: string, y: string): number => {
    const [a, b] = [ipOrder(x), ipOrder(y)];
    const i = a.findIndex((n, k) => n !== b[k]);
    return i < 0 ? a.length - b.length : a[i] - b[i];
  };
  // The clone's attachments, in slot order, get their network's addresses back in address order.
  for (const group of byNetwork.values()) {
    const sorted = group.flatMap((a) => a.Addresses ?? []).sort(byIp);
    for (const a of group) if (a.Addresses) a.Addresses = sorted.splice(0, a.Addresses.length);
  }
  return tasks;
}

const running = (service: string, n: number, update?: 'completed' | 'rollback_completed'): Settle =>
  update ? { service, running: n, update } : { service, running: n };

const QUICK_STOP = ['--stop-grace-period', '1s'];
const QUICK_UPDATE = ['--update-monitor', '1s'];

function objectSteps(kind: 'secret' | 'config', name: string, file: string): Step[] {
  const collection = `/${kind}s/${name}`;
  return [
    { name: `${kind} create`, docker: [kind, 'create', '--label', 'a=1', name, `{file:${file}}`], output: 'text' },
    { name: `${kind} create duplicate`, docker: [kind, 'create', name, `{file:${file}}`], output: 'text', fails: true },
    { name: `${kind} create invalid name`, docker: [kind, 'create', 'bad/name', `{file:${file}}`], output: 'text', fails: true },
    { name: `${kind} ls`, docker: [kind, 'ls'], output: 'table' },
    { name: `${kind} inspect`, docker: [kind, 'inspect', name], output: 'json' },
    {
      name: `${kind} update labels`,
      update: collection,
      change: (spec) => ({ ...spec, Labels: { ...(spec.Labels as Record<string, string>), b: '2' } }),
      output: 'text',
    },
    { name: `${kind} update data refused`, update: collection, change: (spec) => ({ ...spec, Data: b64('changed') }), output: 'json', fails: true },
    { name: `${kind} inspect after update`, docker: [kind, 'inspect', name], output: 'json' },
    { name: `${kind} inspect unknown`, docker: [kind, 'inspect', 'nosuch'], output: 'text', fails: true },
  ];
}

const swarmAndNode: Step[] = [
  { name: 'swarm inspect', get: '/swarm', output: 'json' },
  { name: 'info swarm json', docker: ['info', '--format', '{{json .Swarm}}'], output: 'json' },
  { name: 'info swarm section', docker: ['info'], output: 'text', select: infoSection('Swarm') },
  { name: 'node ls', docker: ['node', 'ls'], output: 'table' },
  { name: 'node inspect self', docker: ['node', 'inspect', 'self'], output: 'json' },
  { name: 'node inspect --pretty self', docker: ['node', 'inspect', '--pretty', 'self'], output: 'text' },
  { name: 'node update --label-add', docker: ['node', 'update', '--label-add', 'zone=a', '{node}'], output: 'text' },
  { name: 'node inspect spec after label', docker: ['node', 'inspect', '--format', '{{json .Spec}}', 'self'], output: 'json' },
  { name: 'node ls --filter node.label', docker: ['node', 'ls', '--filter', 'node.label=zone=a', '--format', '{{.Hostname}} {{.Status}}'], output: 'text' },
];

const networks: Step[] = [
  {
    name: 'network create overlay',
    docker: ['network', 'create', '--driver', 'overlay', '--attachable', '--subnet', '10.77.0.0/24', '--label', 'tier=back', 'net1'],
    output: 'text',
  },
  { name: 'network create duplicate', docker: ['network', 'create', '--driver', 'overlay', 'net1'], output: 'text', fails: true },
  { name: 'network create bad subnet', docker: ['network', 'create', '--driver', 'overlay', '--subnet', '10.0.0.0/33', 'net2'], output: 'text', fails: true },
  { name: 'network create invalid name', docker: ['network', 'create', '--driver', 'overlay', 'bad/name'], output: 'text', fails: true },
  { name: 'network ls', docker: ['network', 'ls'], output: 'table' },
  { name: 'network ls --filter scope=swarm', docker: ['network', 'ls', '--filter', 'scope=swarm'], output: 'table' },
  { name: 'network inspect net1', docker: ['network', 'inspect', 'net1'], output: 'json' },
  { name: 'network inspect ingress', docker: ['network', 'inspect', 'ingress'], output: 'json' },
  { name: 'network inspect unknown', docker: ['network', 'inspect', 'nosuch'], output: 'text', fails: true },
];

const services: Step[] = [
  {
    name: 'service create web',
    docker: [
      'service', 'create', '--no-resolve-image', '--name', 'web', '--replicas', '2', '--env', 'A=1', '--label', 'tier=front',
      '--endpoint-mode', 'dnsrr', '--constraint', 'node.role==manager', '--restart-condition', 'on-failure',
      '--update-parallelism', '2', ...QUICK_UPDATE, ...QUICK_STOP, '--secret', 'sec1', '--config', 'cfg1', '--network', 'net1',
      '{image}', 'sleep', '3600',
    ],
    output: 'text',
    select: progressOutcome,
  },
  {
    name: 'service create edge (host port)',
    docker: [
      'service', 'create', '--detach', '--no-resolve-image', '--name', 'edge', '--endpoint-mode', 'dnsrr',
      '--publish', 'mode=host,published={hostPort},target=80', ...QUICK_STOP, '{image}', 'sleep', '3600',
    ],
    output: 'text',
  },
  { name: 'service ls', before: running('edge', 1), docker: ['service', 'ls'], output: 'table' },
  { name: 'service ps web', before: running('web', 2), docker: ['service', 'ps', 'web'], output: 'table' },
  { name: 'service ps edge', docker: ['service', 'ps', 'edge'], output: 'table' },
  { name: 'node ps self', docker: ['node', 'ps', 'self'], output: 'table' },
  { name: 'tasks of web', get: tasksOf('web'), output: 'json', sortBy: TASK_ORDER, canonical: addressesInSlotOrder },
  { name: 'tasks of edge', get: tasksOf('edge'), output: 'json', sortBy: TASK_ORDER, canonical: addressesInSlotOrder },
  { name: 'service inspect web', docker: ['service', 'inspect', 'web'], output: 'json' },
  { name: 'service inspect --pretty web', docker: ['service', 'inspect', '--pretty', 'web'], output: 'text' },
  { name: 'service inspect edge', docker: ['service', 'inspect', 'edge'], output: 'json' },
  { name: 'service scale web=3', docker: ['service', 'scale', '--detach', 'web=3'], output: 'text' },
  { name: 'service ls after scale', before: running('web', 3), docker: ['service', 'ls'], output: 'table' },
  { name: 'service update web', docker: ['service', 'update', '--detach', '--env-add', 'B=2', 'web'], output: 'text' },
  { name: 'service inspect web after update', before: running('web', 3, 'completed'), docker: ['service', 'inspect', 'web'], output: 'json' },
  { name: 'service ps web after update', docker: ['service', 'ps', 'web'], output: 'table' },
  { name: 'service rollback web', docker: ['service', 'rollback', '--detach', 'web'], output: 'text' },
  { name: 'service inspect web after rollback', before: running('web', 3, 'rollback_completed'), docker: ['service', 'inspect', 'web'], output: 'json' },
  { name: 'service ps web after rollback', docker: ['service', 'ps', 'web'], output: 'table' },
  { name: 'secret rm in use', docker: ['secret', 'rm', 'sec1'], output: 'text', fails: true },
  { name: 'config rm in use', docker: ['config', 'rm', 'cfg1'], output: 'text', fails: true },
  { name: 'network rm in use', docker: ['network', 'rm', 'net1'], output: 'text', fails: true },
  {
    name: 'service create nowhere',
    docker: ['service', 'create', '--detach', '--no-resolve-image', '--name', 'nowhere', '--constraint', 'node.labels.zone==nowhere', ...QUICK_STOP, '{image}', 'sleep', '3600'],
    output: 'text',
  },
  { name: 'service ps nowhere', before: { service: 'nowhere', pending: 1 }, docker: ['service', 'ps', 'nowhere'], output: 'table' },
  { name: 'service ps --no-trunc nowhere', docker: ['service', 'ps', '--no-trunc', 'nowhere'], output: 'table' },
  { name: 'tasks of nowhere', get: tasksOf('nowhere'), output: 'json', sortBy: TASK_ORDER, canonical: addressesInSlotOrder },
  { name: 'service ls with pending', docker: ['service', 'ls'], output: 'table' },
];

const errors: Step[] = [
  { name: 'service inspect unknown', docker: ['service', 'inspect', 'nosuch'], output: 'text', fails: true },
  { name: 'service create duplicate name', docker: ['service', 'create', '--detach', '--no-resolve-image', '--name', 'web', '{image}'], output: 'text', fails: true },
  { name: 'service create bad --replicas', docker: ['service', 'create', '--detach', '--no-resolve-image', '--replicas', 'abc', '{image}'], output: 'text', fails: true },
  { name: 'service scale bad replicas', docker: ['service', 'scale', 'web=abc'], output: 'text', fails: true },
  { name: 'service create --endpoint-mode foo', docker: ['service', 'create', '--detach', '--no-resolve-image', '--endpoint-mode', 'foo', '{image}'], output: 'text', fails: true },
  { name: 'service create invalid name', docker: ['service', 'create', '--detach', '--no-resolve-image', '--name', 'bad_name!', '{image}'], output: 'text', fails: true },
  { name: 'service create unknown secret', docker: ['service', 'create', '--detach', '--no-resolve-image', '--secret', 'nosuch', '{image}'], output: 'text', fails: true },
  { name: 'service update unknown', docker: ['service', 'update', '--detach', '--env-add', 'X=1', 'nosuch'], output: 'text', fails: true },
  { name: 'service scale unknown', docker: ['service', 'scale', '--detach', 'nosuch=2'], output: 'text', fails: true },
  { name: 'service rollback without previous spec', docker: ['service', 'rollback', '--detach', 'nowhere'], output: 'text', fails: true },
  { name: 'service rm unknown', docker: ['service', 'rm', 'nosuch'], output: 'text', fails: true },
  { name: 'node update --availability foo', docker: ['node', 'update', '--availability', 'foo', '{node}'], output: 'text', fails: true },
  { name: 'node update --role boss', docker: ['node', 'update', '--role', 'boss', '{node}'], output: 'text', fails: true },
  { name: 'node inspect unknown', docker: ['node', 'inspect', 'nosuch'], output: 'text', fails: true },
  { name: 'network rm unknown', docker: ['network', 'rm', 'nosuch'], output: 'text', fails: true },
  { name: 'swarm leave on a manager', docker: ['swarm', 'leave'], output: 'text', fails: true },
  { name: 'swarm init when already in a swarm', docker: ['swarm', 'init', '--advertise-addr', '127.0.0.1'], output: 'text', fails: true },
];

const removal: Step[] = [
  { name: 'service rm', docker: ['service', 'rm', 'web', 'edge', 'nowhere'], output: 'text' },
  { name: 'service ls when empty', docker: ['service', 'ls'], output: 'table' },
  { name: 'secret rm', before: { noTasks: true }, docker: ['secret', 'rm', 'sec1'], output: 'text' },
  { name: 'config rm', docker: ['config', 'rm', 'cfg1'], output: 'text' },
  { name: 'network rm', docker: ['network', 'rm', 'net1'], output: 'text' },
  { name: 'secret ls when empty', docker: ['secret', 'ls'], output: 'table' },
  { name: 'network ls after rm', docker: ['network', 'ls', '--filter', 'scope=swarm'], output: 'table' },
];

export const SCENARIO: Scenario = {
  files: { 'secret.txt': 's3cret-value', 'config.txt': 'listen 80;\n' },
  steps: [
    ...swarmAndNode,
    ...objectSteps('secret', 'sec1', 'secret.txt'),
    ...objectSteps('config', 'cfg1', 'config.txt'),
    ...networks,
    ...services,
    ...errors,
    ...removal,
  ],
};
