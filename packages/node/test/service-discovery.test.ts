import { describe, expect, it } from 'vitest';
import { serviceRecords, type RecordInputs } from '../src/manager/dispatcher/service-records.js';
import { ServiceDiscovery } from '../src/agent/dns/service-discovery.js';

const inputs: RecordInputs = {
  nodes: [
    { ID: 'n1', Status: { Addr: '127.0.1.2' } },
    { ID: 'n2', Status: { Addr: '127.0.1.3' } },
  ],
  networks: [
    { ID: 'ingress', Spec: { Ingress: true } },
    { ID: 'front', Spec: {} },
    { ID: 'back', Spec: {} },
  ],
  services: [
    {
      ID: 's-web',
      Spec: { Name: 'web', TaskTemplate: { Networks: [{ Target: 'front', Aliases: ['www'] }] } },
      Endpoint: { VirtualIPs: [{ NetworkID: 'ingress', Addr: '10.0.0.2/24' }, { NetworkID: 'front', Addr: '10.0.1.2/24' }] },
    },
    { ID: 's-db', Spec: { Name: 'db', EndpointSpec: { Mode: 'dnsrr' }, TaskTemplate: { Networks: [{ Target: 'back' }] } } },
    { ID: 's-none', Spec: { Name: 'lonely' } },
  ],
  tasks: [
    { ID: 't2', ServiceID: 's-web', Slot: 2, NodeID: 'n2', DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: 'ingress' }, Addresses: ['10.0.0.5/24'] }, { Network: { ID: 'front' }, Addresses: ['10.0.1.5/24'] }] },
    { ID: 't1', ServiceID: 's-web', Slot: 1, NodeID: 'n1', DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: 'front' }, Addresses: ['10.0.1.4/24'] }] },
    { ID: 't3', ServiceID: 's-web', Slot: 3, NodeID: 'n1', DesiredState: 'shutdown', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: 'front' }, Addresses: ['10.0.1.6/24'] }] },
    { ID: 'd1', ServiceID: 's-db', Slot: 1, NodeID: 'n2', DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: 'back' }, Addresses: ['10.0.2.3/24'] }] },
    { ID: 'd2', ServiceID: 's-db', Slot: 2, NodeID: 'n1', DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: 'back' }, Addresses: ['10.0.2.4/24'] }] },
  ],
};

describe('service records', () => {
  it('carry each attached service with its VIPs and running tasks, and nothing of the ingress network', () => {
    const records = serviceRecords(inputs);
    expect(records.map((r) => r.name)).toEqual(['db', 'web']);
    const web = records.find((r) => r.name === 'web')!;
    expect(web).toEqual({
      serviceId: 's-web',
      name: 'web',
      endpointMode: 'vip',
      aliases: [{ networkId: 'front', alias: 'www' }],
      vips: [{ networkId: 'front', ip: '10.0.1.2' }],
      tasks: [
        { taskId: 't1', name: 'web.1.t1', nodeId: 'n1', addr: '127.0.1.2', ips: [{ networkId: 'front', ip: '10.0.1.4' }] },
        { taskId: 't2', name: 'web.2.t2', nodeId: 'n2', addr: '127.0.1.3', ips: [{ networkId: 'front', ip: '10.0.1.5' }] },
      ],
    });
  });
});

describe('service discovery in a container', () => {
  const discovery = new ServiceDiscovery();
  discovery.update(serviceRecords(inputs));
  const onFront = [{ networkId: 'front', ip: '10.0.1.9' }];
  const onBack = [{ networkId: 'back', ip: '10.0.2.9' }];

  it('resolves a service to its VIP, an alias too, and task names to tasks, on shared networks only', () => {
    expect(discovery.resolve('web', onFront)).toBe('10.0.1.2');
    expect(discovery.resolve('WWW.', onFront)).toBe('10.0.1.2');
    expect(discovery.resolve('web.2.t2', onFront)).toBe('10.0.1.5');
    expect(discovery.resolve('web', onBack)).toBeUndefined();
    expect(discovery.resolve('lonely', onFront)).toBeUndefined();
  });

  it('answers dnsrr names and tasks.<service> with each task in turn', () => {
    expect([discovery.resolve('db', onBack), discovery.resolve('db', onBack), discovery.resolve('db', onBack)]).toEqual(['10.0.2.3', '10.0.2.4', '10.0.2.3']);
    expect(new Set([discovery.resolve('tasks.web', onFront), discovery.resolve('tasks.web', onFront)])).toEqual(new Set(['10.0.1.4', '10.0.1.5']));
  });

  it('looks names up as DNS answers them: the VIP alone, or every task address starting at the next', () => {
    expect(discovery.lookup('web', onFront)).toEqual(['10.0.1.2']);
    const first = discovery.lookup('tasks.web', onFront);
    expect(new Set(first)).toEqual(new Set(['10.0.1.4', '10.0.1.5']));
    expect(discovery.lookup('tasks.web', onFront)).toEqual([...first].reverse());
    expect(discovery.lookup('web.1.t1', onFront)).toEqual(['10.0.1.4']);
    expect(discovery.lookup('tasks.web', onBack)).toEqual([]);
    expect(discovery.lookup('nosuch', onFront)).toEqual([]);
  });

  it('routes a VIP to the tasks in turn and a task address to its task; other addresses nowhere', () => {
    const viaVip = [1, 2, 3, 4].map(() => discovery.route('10.0.1.2', onFront));
    expect(viaVip.map((r) => r?.kind)).toEqual(['vip', 'vip', 'vip', 'vip']);
    expect(new Set(viaVip.map((r) => r?.task?.taskId))).toEqual(new Set(['t1', 't2']));
    expect(discovery.route('10.0.1.5', onFront)).toEqual({ kind: 'task', task: expect.objectContaining({ taskId: 't2', addr: '127.0.1.3' }) });
    expect(discovery.route('10.0.1.5', onBack)).toBeUndefined();
    expect(discovery.route('8.8.8.8', onFront)).toBeUndefined();
  });

  it('keeps a VIP whose service runs no task, which then refuses', () => {
    const empty = new ServiceDiscovery();
    empty.update(serviceRecords({ ...inputs, tasks: [] }));
    expect(empty.resolve('web', onFront)).toBe('10.0.1.2');
    expect(empty.route('10.0.1.2', onFront)).toEqual({ kind: 'vip', task: undefined });
  });
});
