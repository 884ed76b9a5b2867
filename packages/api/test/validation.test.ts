import { describe, expect, it } from 'vitest';
import {
  MINUTE,
  parseNodeAvailability,
  parseNodeRole,
  parseUnlockKey,
  resolveDataPathPort,
  resolveDefaultAddrPool,
  resolveSwarmInitRequest,
  serviceSpecError,
  validateNodeSpec,
  validateSwarmJoinRequest,
  type Service,
  type ServiceSpec,
  type Swarm,
  type SwarmInitRequest,
  type UnlockKeyResponse,
} from '../src/index.js';
import { expectApiError } from './helpers/expect-api-error.js';
import { fixture, inspected } from './helpers/fixtures.js';

describe('node spec checks', () => {
  it('matches role and availability case-insensitively and stores them lower-case', () => {
    expect(parseNodeRole('Manager')).toBe('manager');
    expect(parseNodeAvailability('DRAIN')).toBe('drain');
    expect(validateNodeSpec({ Role: 'worker', Availability: 'Pause' })).toEqual({
      Labels: {},
      Role: 'worker',
      Availability: 'pause',
    });
  });

  it('refuses bad values with the daemon texts, role first (README §4.3)', () => {
    expectApiError(() => validateNodeSpec({ Role: 'boss', Availability: 'foo' }), 400, 'invalid Role: "boss"');
    expectApiError(() => validateNodeSpec({ Role: 'worker', Availability: 'foo' }), 400, 'invalid Availability: "foo"');
    expectApiError(() => validateNodeSpec({}), 400, 'invalid Role: ""');
    expectApiError(() => validateNodeSpec(null), 400, 'invalid Role: ""');
  });
});

describe('swarm init checks', () => {
  /** The body of `docker swarm init --advertise-addr 127.0.0.1 --default-addr-pool 10.20.0.0/16
   *  --default-addr-pool-mask-length 26 --autolock` (README §4.2). */
  const CLI_INIT: SwarmInitRequest = {
    ListenAddr: '0.0.0.0:2377',
    AdvertiseAddr: '127.0.0.1',
    DataPathAddr: '',
    DataPathPort: 0,
    ForceNewCluster: false,
    Spec: {
      Labels: null,
      Orchestration: {},
      Raft: { ElectionTick: 0, HeartbeatTick: 0 },
      Dispatcher: {},
      CAConfig: {},
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: true },
    },
    AutoLockManagers: true,
    Availability: '',
    DefaultAddrPool: ['10.20.0.0/16'],
    SubnetSize: 26,
  };

  it('resolves the CLI body to the defaults a real swarm shows', () => {
    const resolved = resolveSwarmInitRequest(CLI_INIT);
    expect(resolved.spec).toEqual(fixture<Swarm>('api-swarm.json').Spec);
    expect(resolved).toMatchObject({
      listenAddr: '0.0.0.0:2377',
      advertiseAddr: '127.0.0.1',
      dataPathPort: 4789,
      availability: 'active',
      autoLockManagers: true,
      defaultAddrPool: ['10.20.0.0/16'],
      subnetSize: 26,
    });
  });

  it('keeps DefaultAddrPool null and SubnetSize 24 when no pool is given, as api-swarm.json shows', () => {
    const real = fixture<Swarm>('api-swarm.json');
    expect(resolveDefaultAddrPool([], 0)).toEqual({ DefaultAddrPool: real.DefaultAddrPool, SubnetSize: real.SubnetSize });
    expect(resolveDataPathPort(0)).toBe(real.DataPathPort);
  });

  it.each([
    [1023, 'Datapath port number is not in valid range (1024-49151) : 1023'],
    [49152, 'Datapath port number is not in valid range (1024-49151) : 49152'],
  ])('refuses data path port %i', (port, message) => {
    expectApiError(() => resolveSwarmInitRequest({ ...CLI_INIT, DataPathPort: port }), 500, message);
  });

  it('accepts data path ports at both ends of the range', () => {
    expect(resolveDataPathPort(1024)).toBe(1024);
    expect(resolveDataPathPort(49151)).toBe(49151);
  });

  it('checks the default address pool', () => {
    expectApiError(() => resolveDefaultAddrPool(['10.0.0.0/8'], 30), 500, 'subnet size is out of range: 30');
    expectApiError(() => resolveDefaultAddrPool(['10.0.0.0/33'], 24), 500, 'invalid base pool 10.0.0.0/33: invalid CIDR address: 10.0.0.0/33');
    expectApiError(() => resolveDefaultAddrPool(['bogus'], 24), 500, 'invalid base pool bogus: invalid CIDR address: bogus');
    expectApiError(
      () => resolveDefaultAddrPool(['10.0.0.0/24'], 16),
      500,
      'invalid CIDR: "10.0.0.0/24". Subnet size is too small for pool: 16',
    );
    expect(resolveDefaultAddrPool([' fd00::/8 '], 24)).toEqual({ DefaultAddrPool: ['fd00::/8'], SubnetSize: 24 });
  });

  it('refuses an empty listen address, a foreign spec name and a bad availability', () => {
    expectApiError(() => resolveSwarmInitRequest({ ...CLI_INIT, ListenAddr: '' }), 400, 'invalid ListenAddr "": invalid empty address');
    expectApiError(
      () => resolveSwarmInitRequest({ ...CLI_INIT, Spec: { Name: 'prod' } }),
      400,
      'swarm spec must be named "default"',
    );
    expectApiError(
      () => resolveSwarmInitRequest({ ...CLI_INIT, Availability: 'foo' as 'active' }),
      500,
      'invalid Availability: "foo"',
    );
  });

  it('wraps a spec SwarmKit refuses as the daemon does at init', () => {
    expectApiError(
      () => resolveSwarmInitRequest({ ...CLI_INIT, Spec: { CAConfig: { NodeCertExpiry: 30 * MINUTE } } }),
      500,
      'error updating cluster settings: rpc error: code = InvalidArgument desc = minimum certificate expiry time is: 1h0m0s',
    );
    expectApiError(
      () => resolveSwarmInitRequest({ ...CLI_INIT, Spec: { Dispatcher: { HeartbeatPeriod: -1 } } }),
      500,
      'error updating cluster settings: rpc error: code = InvalidArgument desc = heartbeat time period cannot be a negative duration',
    );
  });
});

describe('swarm join checks', () => {
  const join = { ListenAddr: '0.0.0.0:2377', RemoteAddrs: ['127.0.0.1:2377'], JoinToken: 'SWMTKN-1-x' };

  it('defaults availability to active and accepts the CLI --availability values', () => {
    expect(validateSwarmJoinRequest(join).Availability).toBe('active');
    expect(validateSwarmJoinRequest({ ...join, Availability: 'drain' }).Availability).toBe('drain');
  });

  it('refuses a join with no remote address', () => {
    expectApiError(() => validateSwarmJoinRequest({ ...join, RemoteAddrs: [] }), 400, 'at least 1 RemoteAddr is required to join');
    expectApiError(() => validateSwarmJoinRequest({ ...join, RemoteAddrs: [''] }), 400, 'invalid remoteAddr "": invalid empty address');
  });
});

describe('parseUnlockKey', () => {
  it('decodes a real unlock key to 32 bytes', () => {
    const { UnlockKey } = fixture<UnlockKeyResponse>('api-swarm-unlockkey.json');
    expect(parseUnlockKey(UnlockKey)).toHaveLength(32);
  });

  it.each(['ILAFPJV06o462nghYSN+b0kN5D68/QkS5OUBqxLTmRo', 'SWMKEY-1-not*base64', 'SWMKEY-1-abcde', '', 42])(
    'refuses %j as "invalid key string"',
    (key) => {
      expectApiError(() => parseUnlockKey(key), 400, 'invalid key string');
    },
  );
});

describe('serviceSpecError', () => {
  const valid = inspected<Service>('service-inspect-http.json').Spec;
  const variant = (change: Partial<ServiceSpec>): ServiceSpec => ({ ...structuredClone(valid), ...change });

  it('accepts the specs a real daemon stored', () => {
    for (const service of fixture<Service[]>('api-services.json')) expect(serviceSpecError(service.Spec)).toBeUndefined();
  });

  it.each([
    ['bad name', variant({ Name: 'my web' }), 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'],
    ['long name', variant({ Name: 'a'.repeat(64) }), 'rpc error: code = InvalidArgument desc = name must be 63 characters or fewer'],
    [
      'no image',
      variant({ TaskTemplate: { ...valid.TaskTemplate, ContainerSpec: { Image: '' } } }),
      'rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided',
    ],
    [
      'dnsrr with an ingress port',
      variant({ EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' }] } }),
      "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
    ],
    [
      'a job with an update config',
      variant({ Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } } }),
      'rpc error: code = InvalidArgument desc = Jobs may not have an update config',
    ],
    [
      'a failure ratio above 1',
      variant({ RollbackConfig: { Parallelism: 1, MaxFailureRatio: 1.5, Order: 'stop-first' } }),
      'rpc error: code = InvalidArgument desc = TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1',
    ],
  ])('refuses %s', (_case, spec, message) => {
    expect(serviceSpecError(spec)).toEqual({ statusCode: 400, message });
  });
});
