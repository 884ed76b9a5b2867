// The Go types moby decodes Engine API request bodies into (api/types/swarm, api/types/mount,
// api/types/container, api/types/network at Engine 27 / API 1.47), described for decodeGoValue.
// Field names are the JSON names; embedded structs (Annotations, CreateOptions) are flattened
// into their parent as Go promotes them. Names after "of type" in Go's errors come from here.

import type { GoType } from './go-decode.js';

const str = (name = 'string'): GoType => ({ k: 'string', name });
const bool: GoType = { k: 'bool' };
const int: GoType = { k: 'int', name: 'int', bits: 64 };
const int64: GoType = { k: 'int', name: 'int64', bits: 64 };
const uint32: GoType = { k: 'uint', name: 'uint32', bits: 32 };
const uint64: GoType = { k: 'uint', name: 'uint64', bits: 64 };
const float32: GoType = { k: 'float', name: 'float32', bits: 32 };
const duration: GoType = { k: 'int', name: 'time.Duration', bits: 64 };
const fileMode: GoType = { k: 'uint', name: 'fs.FileMode', bits: 32 };
const bytes: GoType = { k: 'bytes' };
const any: GoType = { k: 'any' };
const ptr = (elem: GoType): GoType => ({ k: 'ptr', elem });
const slice = (elem: GoType): GoType => ({ k: 'slice', elem });
const map = (elem: GoType): GoType => ({ k: 'map', elem });
const struct = (name: string, fields: Record<string, GoType>): GoType => ({ k: 'struct', name, fields });
const strings = slice(str());
const labels = map(str());

/** swarm.Annotations, embedded in every spec. */
const annotations = { Name: str(), Labels: labels };
const driver = struct('swarm.Driver', { Name: str(), Options: labels });

const platform = struct('swarm.Platform', { Architecture: str(), OS: str() });

const fileTarget = (name: string) => struct(name, { Name: str(), UID: str(), GID: str(), Mode: fileMode });

/** mount.Mount: a service's or a container's mount. */
const mount = struct('mount.Mount', {
  Type: str('mount.Type'),
  Source: str(),
  Target: str(),
  ReadOnly: bool,
  Consistency: str('mount.Consistency'),
  BindOptions: ptr(
    struct('mount.BindOptions', {
      Propagation: str('mount.Propagation'),
      NonRecursive: bool,
      CreateMountpoint: bool,
      ReadOnlyNonRecursive: bool,
      ReadOnlyForceRecursive: bool,
    }),
  ),
  VolumeOptions: ptr(
    struct('mount.VolumeOptions', {
      NoCopy: bool,
      Labels: labels,
      Subpath: str(),
      DriverConfig: ptr(struct('mount.Driver', { Name: str(), Options: labels })),
    }),
  ),
  TmpfsOptions: ptr(struct('mount.TmpfsOptions', { SizeBytes: int64, Mode: fileMode, Options: slice(strings) })),
  ClusterOptions: ptr(any),
});

const containerSpec = struct('swarm.ContainerSpec', {
  Image: str(),
  Labels: labels,
  Command: strings,
  Args: strings,
  Hostname: str(),
  Env: strings,
  Dir: str(),
  User: str(),
  Groups: strings,
  Privileges: ptr(
    struct('swarm.Privileges', {
      CredentialSpec: ptr(struct('swarm.CredentialSpec', { Config: str(), File: str(), Registry: str() })),
      SELinuxContext: ptr(struct('swarm.SELinuxContext', { Disable: bool, User: str(), Role: str(), Type: str(), Level: str() })),
      Seccomp: ptr(struct('swarm.SeccompOpts', { Mode: str('swarm.SeccompMode'), Profile: bytes })),
      AppArmor: ptr(struct('swarm.AppArmorOpts', { Mode: str('swarm.AppArmorMode') })),
      NoNewPrivileges: bool,
    }),
  ),
  Init: ptr(bool),
  StopSignal: str(),
  TTY: bool,
  OpenStdin: bool,
  ReadOnly: bool,
  Mounts: slice(mount),
  StopGracePeriod: ptr(duration),
  Healthcheck: ptr(
    struct('container.HealthConfig', {
      Test: strings,
      Interval: duration,
      Timeout: duration,
      StartPeriod: duration,
      StartInterval: duration,
      Retries: int,
    }),
  ),
  Hosts: strings,
  DNSConfig: ptr(struct('swarm.DNSConfig', { Nameservers: strings, Search: strings, Options: strings })),
  Secrets: slice(ptr(struct('swarm.SecretReference', { File: ptr(fileTarget('swarm.SecretReferenceFileTarget')), SecretID: str(), SecretName: str() }))),
  Configs: slice(
    ptr(
      struct('swarm.ConfigReference', {
        File: ptr(fileTarget('swarm.ConfigReferenceFileTarget')),
        Runtime: ptr(struct('swarm.ConfigReferenceRuntimeTarget', {})),
        ConfigID: str(),
        ConfigName: str(),
      }),
    ),
  ),
  Isolation: str('container.Isolation'),
  Sysctls: labels,
  CapabilityAdd: strings,
  CapabilityDrop: strings,
  Ulimits: slice(ptr(struct('units.Ulimit', { Name: str(), Hard: int64, Soft: int64 }))),
  OomScoreAdj: int64,
});

const networkAttachmentConfig = struct('swarm.NetworkAttachmentConfig', { Target: str(), Aliases: strings, DriverOpts: labels });

const taskSpec = struct('swarm.TaskSpec', {
  ContainerSpec: ptr(containerSpec),
  // runtime.PluginSpec is a protobuf message: lower-case JSON names.
  PluginSpec: ptr(
    struct('runtime.PluginSpec', { name: str(), remote: str(), privileges: slice(ptr(any)), disabled: bool, env: strings }),
  ),
  NetworkAttachmentSpec: ptr(struct('swarm.NetworkAttachmentSpec', { ContainerID: str() })),
  Resources: ptr(
    struct('swarm.ResourceRequirements', {
      Limits: ptr(struct('swarm.Limit', { NanoCPUs: int64, MemoryBytes: int64, Pids: int64 })),
      Reservations: ptr(
        struct('swarm.Resources', {
          NanoCPUs: int64,
          MemoryBytes: int64,
          GenericResources: slice(
            struct('swarm.GenericResource', {
              NamedResourceSpec: ptr(struct('swarm.NamedGenericResource', { Kind: str(), Value: str() })),
              DiscreteResourceSpec: ptr(struct('swarm.DiscreteGenericResource', { Kind: str(), Value: int64 })),
            }),
          ),
        }),
      ),
    }),
  ),
  RestartPolicy: ptr(
    struct('swarm.RestartPolicy', {
      Condition: str('swarm.RestartPolicyCondition'),
      Delay: ptr(duration),
      MaxAttempts: ptr(uint64),
      Window: ptr(duration),
    }),
  ),
  Placement: ptr(
    struct('swarm.Placement', {
      Constraints: strings,
      Preferences: slice(struct('swarm.PlacementPreference', { Spread: ptr(struct('swarm.SpreadOver', { SpreadDescriptor: str() })) })),
      MaxReplicas: uint64,
      Platforms: slice(platform),
    }),
  ),
  Networks: slice(networkAttachmentConfig),
  LogDriver: ptr(driver),
  ForceUpdate: uint64,
  Runtime: str('swarm.RuntimeType'),
});

const updateConfig = struct('swarm.UpdateConfig', {
  Parallelism: uint64,
  Delay: duration,
  FailureAction: str(),
  Monitor: duration,
  MaxFailureRatio: float32,
  Order: str(),
});

/** Body of POST /services/create and /services/{id}/update. */
export const GO_SERVICE_SPEC = struct('swarm.ServiceSpec', {
  ...annotations,
  TaskTemplate: taskSpec,
  Mode: struct('swarm.ServiceMode', {
    Replicated: ptr(struct('swarm.ReplicatedService', { Replicas: ptr(uint64) })),
    Global: ptr(struct('swarm.GlobalService', {})),
    ReplicatedJob: ptr(struct('swarm.ReplicatedJob', { MaxConcurrent: ptr(uint64), TotalCompletions: ptr(uint64) })),
    GlobalJob: ptr(struct('swarm.GlobalJob', {})),
  }),
  UpdateConfig: ptr(updateConfig),
  RollbackConfig: ptr(updateConfig),
  Networks: slice(networkAttachmentConfig),
  EndpointSpec: ptr(
    struct('swarm.EndpointSpec', {
      Mode: str('swarm.ResolutionMode'),
      Ports: slice(
        struct('swarm.PortConfig', {
          Name: str(),
          Protocol: str('swarm.PortConfigProtocol'),
          TargetPort: uint32,
          PublishedPort: uint32,
          PublishMode: str('swarm.PortConfigPublishMode'),
        }),
      ),
    }),
  ),
});

/** Body of POST /nodes/{id}/update. */
export const GO_NODE_SPEC = struct('swarm.NodeSpec', {
  ...annotations,
  Role: str('swarm.NodeRole'),
  Availability: str('swarm.NodeAvailability'),
});

/** Body of POST /secrets/create and /secrets/{id}/update. */
export const GO_SECRET_SPEC = struct('swarm.SecretSpec', { ...annotations, Data: bytes, Driver: ptr(driver), Templating: ptr(driver) });

/** Body of POST /configs/create and /configs/{id}/update. */
export const GO_CONFIG_SPEC = struct('swarm.ConfigSpec', { ...annotations, Data: bytes, Templating: ptr(driver) });

/** Body of POST /swarm/update, and `Spec` of swarm init. */
export const GO_SWARM_SPEC = struct('swarm.Spec', {
  ...annotations,
  Orchestration: struct('swarm.OrchestrationConfig', { TaskHistoryRetentionLimit: ptr(int64) }),
  Raft: struct('swarm.RaftConfig', {
    SnapshotInterval: uint64,
    KeepOldSnapshots: ptr(uint64),
    LogEntriesForSlowFollowers: uint64,
    ElectionTick: int,
    HeartbeatTick: int,
  }),
  Dispatcher: struct('swarm.DispatcherConfig', { HeartbeatPeriod: duration }),
  CAConfig: struct('swarm.CAConfig', {
    NodeCertExpiry: duration,
    ExternalCAs: slice(
      ptr(struct('swarm.ExternalCA', { Protocol: str('swarm.ExternalCAProtocol'), URL: str(), Options: labels, CACert: str() })),
    ),
    SigningCACert: str(),
    SigningCAKey: str(),
    ForceRotate: uint64,
  }),
  TaskDefaults: struct('swarm.TaskDefaults', { LogDriver: ptr(driver) }),
  EncryptionConfig: struct('swarm.EncryptionConfig', { AutoLockManagers: bool }),
});

/** Body of POST /swarm/init. */
export const GO_INIT_REQUEST = struct('swarm.InitRequest', {
  ListenAddr: str(),
  AdvertiseAddr: str(),
  DataPathAddr: str(),
  DataPathPort: uint32,
  ForceNewCluster: bool,
  Spec: GO_SWARM_SPEC,
  AutoLockManagers: bool,
  Availability: str('swarm.NodeAvailability'),
  DefaultAddrPool: strings,
  SubnetSize: uint32,
});

/** Body of POST /swarm/join. */
export const GO_JOIN_REQUEST = struct('swarm.JoinRequest', {
  ListenAddr: str(),
  AdvertiseAddr: str(),
  DataPathAddr: str(),
  RemoteAddrs: strings,
  JoinToken: str(),
  Availability: str('swarm.NodeAvailability'),
});

/** Body of POST /containers/{id}/exec (container.ExecOptions). */
export const GO_EXEC_OPTIONS = struct('container.ExecOptions', {
  User: str(),
  Privileged: bool,
  Tty: bool,
  ConsoleSize: ptr(slice(uint64)),
  AttachStdin: bool,
  AttachStderr: bool,
  AttachStdout: bool,
  Detach: bool,
  DetachKeys: str(),
  Env: strings,
  WorkingDir: str(),
  Cmd: strings,
});

/** Body of POST /exec/{id}/start (container.ExecStartOptions). */
export const GO_EXEC_START_OPTIONS = struct('container.ExecStartOptions', { Detach: bool, Tty: bool, ConsoleSize: ptr(slice(uint64)) });

/** Body of POST /containers/create (container.CreateRequest: Config embedded, HostConfig, NetworkingConfig); the fields docker run sends that are read. */
export const GO_CONTAINER_CREATE = struct('container.CreateRequest', {
  Hostname: str(),
  Domainname: str(),
  User: str(),
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: strings,
  Cmd: strings,
  Entrypoint: strings,
  Image: str(),
  WorkingDir: str(),
  Labels: labels,
  StopSignal: str(),
  HostConfig: ptr(
    struct('container.HostConfig', {
      Binds: strings,
      NetworkMode: str('container.NetworkMode'),
      PortBindings: map(slice(struct('nat.PortBinding', { HostIp: str(), HostPort: str() }))),
      RestartPolicy: struct('container.RestartPolicy', { Name: str('container.RestartPolicyMode'), MaximumRetryCount: int }),
      AutoRemove: bool,
      ReadonlyRootfs: bool,
      Mounts: slice(mount),
    }),
  ),
  NetworkingConfig: ptr(struct('network.NetworkingConfig', { EndpointsConfig: map(ptr(struct('network.EndpointSettings', { Aliases: strings }))) })),
});

/** Body of POST /swarm/unlock. */
export const GO_UNLOCK_REQUEST = struct('swarm.UnlockRequest', { UnlockKey: str() });

/** Body of POST /networks/create (network.CreateRequest with its embedded CreateOptions). */
export const GO_NETWORK_CREATE_REQUEST = struct('network.CreateRequest', {
  Driver: str(),
  Scope: str(),
  EnableIPv4: ptr(bool),
  EnableIPv6: ptr(bool),
  IPAM: ptr(
    struct('network.IPAM', {
      Driver: str(),
      Options: labels,
      Config: slice(struct('network.IPAMConfig', { Subnet: str(), IPRange: str(), Gateway: str(), AuxiliaryAddresses: labels })),
    }),
  ),
  Internal: bool,
  Attachable: bool,
  Ingress: bool,
  ConfigOnly: bool,
  ConfigFrom: ptr(struct('network.ConfigReference', { Network: str() })),
  Options: labels,
  Labels: labels,
  Name: str(),
  CheckDuplicate: ptr(bool),
});

/** Body of POST /volumes/create (volume.CreateOptions). */
export const GO_VOLUME_CREATE_OPTIONS = struct('volume.CreateOptions', {
  Name: str(),
  Driver: str(),
  DriverOpts: labels,
  Labels: labels,
  ClusterVolumeSpec: ptr(struct('volume.ClusterVolumeSpec', {})),
});
