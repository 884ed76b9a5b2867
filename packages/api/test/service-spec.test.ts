import { describe, expect, it } from 'vitest';
import {
  DockerApiError,
  normalizeServiceMode,
  normalizeServiceSpec,
  taskSpecFromServiceSpec,
  type Service,
  type ServiceSpecInput,
  type Task,
} from '../src/index.js';
import { fixture, inspected } from './helpers/fixtures.js';

const noName = { randomName: () => 'should_not_be_used' };
const stored = new Map(fixture<Service[]>('api-services.json').map((s) => [s.Spec.Name, s.Spec]));

/** Request bodies shaped as the docker CLI 28 sends them (README §4.4) for the captured commands. */
const CLI_BODIES: Record<string, ServiceSpecInput> = {
  // docker service create --no-resolve-image --name echo --replicas 2 busybox:local sh -c "…"
  echo: {
    Name: 'echo',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: {
        Image: 'busybox:local',
        Args: ['sh', '-c', 'for i in 1 2 3; do echo "line $i from $(hostname)"; done; sleep 3600'],
        Init: false,
        DNSConfig: {},
      },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: 2 } },
    EndpointSpec: { Mode: 'vip' },
  },
  // docker service create --no-resolve-image --name httphost --mode global --endpoint-mode dnsrr
  //   --publish mode=host,published=8081,target=80 busybox:local httpd -f -p 80 -h /var/www
  httphost: {
    Name: 'httphost',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: 'busybox:local', Args: ['httpd', '-f', '-p', '80', '-h', '/var/www'], Init: false, DNSConfig: {} },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      ForceUpdate: 0,
    },
    Mode: { Global: {} },
    EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8081, PublishMode: 'host' }] },
  },
};

describe('normalizeServiceSpec', () => {
  it.each(Object.keys(CLI_BODIES))('stores the CLI body of %s as the real daemon did, byte for byte', (name) => {
    const normalized = normalizeServiceSpec(CLI_BODIES[name], noName);
    expect(JSON.stringify(normalized)).toBe(JSON.stringify(stored.get(name)));
  });

  it('names a nameless service and gives labels and ForceUpdate their zero values', () => {
    const spec = normalizeServiceSpec({ TaskTemplate: { ContainerSpec: { Image: 'nginx' } } }, { randomName: () => 'brave_curie' });
    expect(spec.Name).toBe('brave_curie');
    expect(spec.Labels).toEqual({});
    expect(spec.TaskTemplate.ForceUpdate).toBe(0);
    expect(spec.TaskTemplate.Runtime).toBe('container');
    expect(spec.TaskTemplate.ContainerSpec.Isolation).toBe('default');
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
  });

  it('reads stack deploy’s empty enums as their defaults (EndpointSpec {}, Order "")', () => {
    const spec = normalizeServiceSpec(
      {
        Name: 'st_web',
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, RestartPolicy: { Condition: '' as 'any', Delay: 5e9 } },
        UpdateConfig: { Parallelism: 1, Order: '' as 'stop-first' },
        EndpointSpec: { Ports: [{ TargetPort: 80 }] },
      },
      noName,
    );
    expect(spec.EndpointSpec).toEqual({ Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' }] });
    expect(spec.UpdateConfig).toEqual({ Parallelism: 1, FailureAction: 'pause', MaxFailureRatio: 0, Order: 'stop-first' });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
  });

  it.each([
    [{ EndpointSpec: { Mode: 'foo' } }, 'invalid resolution mode: "foo"'],
    [{ UpdateConfig: { FailureAction: 'explode' } }, 'unrecognized update failure action explode'],
    [{ RollbackConfig: { Order: 'random' } }, 'unrecognized update order random'],
    [{ Mode: { Replicated: { Replicas: 1 }, Global: {} } }, 'must specify only one service mode'],
  ])('refuses %j with the daemon text', (extra, message) => {
    const input = { Name: 'x', TaskTemplate: { ContainerSpec: { Image: 'nginx' } }, ...extra } as ServiceSpecInput;
    expect(() => normalizeServiceSpec(input, noName)).toThrow(new DockerApiError(400, message));
  });

  it('refuses a bad restart condition, a missing ContainerSpec and a non-container runtime', () => {
    const base = { Name: 'x' };
    expect(() =>
      normalizeServiceSpec({ ...base, TaskTemplate: { ContainerSpec: { Image: 'n' }, RestartPolicy: { Condition: 'always' as 'any' } } }, noName),
    ).toThrow('invalid RestartCondition: "always"');
    expect(() => normalizeServiceSpec({ ...base, TaskTemplate: {} as ServiceSpecInput['TaskTemplate'] }, noName)).toThrow(
      'mismatched Runtime and *Spec fields',
    );
    expect(() =>
      normalizeServiceSpec({ ...base, TaskTemplate: { ContainerSpec: { Image: 'n' }, Runtime: 'plugin' } }, noName),
    ).toThrow('unsupported runtime');
  });

  it('never crashes on a body with no TaskTemplate at all', () => {
    expect(() => normalizeServiceSpec({ Name: 'x' } as ServiceSpecInput, noName)).toThrow(DockerApiError);
  });
});

describe('normalizeServiceMode', () => {
  it.each([
    [undefined, { Replicated: { Replicas: 1 } }],
    [{ Replicated: {} }, { Replicated: { Replicas: 1 } }],
    [{ Replicated: { Replicas: 0 } }, { Replicated: { Replicas: 0 } }],
    [{ Global: {} }, { Global: {} }],
    [{ ReplicatedJob: {} }, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } }],
    [{ ReplicatedJob: { MaxConcurrent: 2 } }, { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } }],
    [{ ReplicatedJob: { TotalCompletions: 5 } }, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 5 } }],
    [{ GlobalJob: {} }, { GlobalJob: {} }],
  ])('%j becomes %j', (input, expected) => {
    expect(normalizeServiceMode(input)).toEqual(expected);
  });
});

describe('taskSpecFromServiceSpec', () => {
  it('copies the TaskTemplate without Runtime, as a real task shows it', () => {
    const task = inspected<Task>('task-inspect-web.json');
    expect(JSON.stringify(taskSpecFromServiceSpec(stored.get('web')!))).toBe(JSON.stringify(task.Spec));
  });
});
