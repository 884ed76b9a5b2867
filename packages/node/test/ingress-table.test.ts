import { describe, expect, it } from 'vitest';
import { ingressTable, TableVersions, type IngressInputs, type IngressService } from '../src/manager/dispatcher/ingress-table.js';

const nodes: IngressInputs['nodes'] = [
  { ID: 'n1', Status: { Addr: '127.0.1.2' } },
  { ID: 'n2', Status: { Addr: '127.0.1.3' } },
];

function task(ID: string, ServiceID: string, NodeID: string | undefined, state: string, desired = 'running'): IngressInputs['tasks'][number] {
  return { ID, ServiceID, NodeID, DesiredState: desired, Status: { State: state } };
}

describe('the routing mesh table', () => {
  it('lists the ingress TCP ports of each publishing service with its running tasks and their nodes', () => {
    const table = ingressTable({
      services: [
        {
          ID: 's1',
          Spec: { Name: 'web' },
          Endpoint: {
            Ports: [
              { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
              { Protocol: 'udp', TargetPort: 53, PublishedPort: 5353, PublishMode: 'ingress' },
              { Protocol: 'tcp', TargetPort: 443, PublishedPort: 8443, PublishMode: 'host' },
            ],
          },
        },
        { ID: 's0', Spec: { Name: 'quiet' } },
      ],
      tasks: [
        task('t3', 's1', 'n2', 'running'),
        task('t1', 's1', 'n1', 'running'),
        task('t2', 's1', 'n1', 'starting'),
        task('t4', 's1', 'n2', 'running', 'shutdown'),
        task('t5', 's1', undefined, 'pending'),
        task('t6', 's0', 'n1', 'running'),
      ],
      nodes,
    });
    expect(table).toEqual([
      {
        serviceId: 's1',
        serviceName: 'web',
        ports: [{ publishedPort: 8080, targetPort: 80 }],
        backends: [
          { taskId: 't1', nodeId: 'n1', addr: '127.0.1.2' },
          { taskId: 't3', nodeId: 'n2', addr: '127.0.1.3' },
        ],
      },
    ]);
  });

  it('keeps a publishing service without running tasks, so that its port still answers (and refuses)', () => {
    const services = [{ ID: 's1', Spec: { Name: 'web' }, Endpoint: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 30001 }] } }];
    expect(ingressTable({ services, tasks: [], nodes })).toEqual([{ serviceId: 's1', serviceName: 'web', ports: [{ publishedPort: 30001, targetPort: 80 }], backends: [] }]);
  });

  it('gets a new version only when its content changes', () => {
    const versions = new TableVersions<IngressService[]>([]);
    const table = [{ serviceId: 's1', serviceName: 'web', ports: [{ publishedPort: 8080, targetPort: 80 }], backends: [] }];
    expect(versions.update([])).toBe(false);
    expect(versions.update(table)).toBe(true);
    expect(versions.update(structuredClone(table))).toBe(false);
    expect(versions.current).toEqual({ version: 1, table });
  });
});
