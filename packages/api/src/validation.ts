// Request checks a daemon makes before acting, with its texts and statuses. Each function either
// returns the value the daemon would go on with or throws DockerApiError.

import { isIP } from 'node:net';
import { DEFAULT_DATA_PATH_PORT, DEFAULT_SUBNET_SIZE, fillSwarmSpecDefaults } from './defaults.js';
import {
  apiError,
  dataPathPortOutOfRange,
  DNSRR_WITH_INGRESS_PORTS,
  EMPTY_LISTEN_ADDR,
  EMPTY_REMOTE_ADDR,
  errorUpdatingClusterSettings,
  IMAGE_REQUIRED,
  INVALID_DNS_NAME,
  INVALID_KEY_STRING,
  invalidAvailability,
  invalidBasePool,
  invalidRole,
  JOBS_NO_UPDATE_CONFIG,
  JOIN_NEEDS_REMOTE_ADDR,
  MAX_FAILURE_RATIO_RANGE,
  MIN_CERT_EXPIRY,
  NAME_TOO_LONG,
  NEGATIVE_HEARTBEAT_PERIOD,
  subnetSizeOutOfRange,
  subnetSizeTooSmall,
  SWARM_SPEC_NAME,
  type DaemonError,
} from './errors.js';
import { HOUR } from './time.js';
import { NODE_AVAILABILITIES, NODE_ROLES, type NodeAvailability, type NodeRole } from './types/enums.js';
import type { NodeSpec, NodeSpecInput } from './types/node.js';
import type { ServiceSpec } from './types/service.js';
import type { SwarmInitRequest, SwarmJoinRequest, SwarmSpec, SwarmSpecInput } from './types/swarm.js';

/** Lowest and highest `--data-path-port` (IANA registered ports). */
export const DATA_PATH_PORT_MIN = 1024;
export const DATA_PATH_PORT_MAX = 49151;
/** Largest subnet mask length of the default address pool (/29 leaves 8 addresses). */
export const MAX_SUBNET_SIZE = 29;
/** SwarmKit's minimum node certificate validity (ca.MinNodeCertExpiration). */
export const MIN_NODE_CERT_EXPIRY = 1 * HOUR;

/** A node role, matched case-insensitively as the daemon does (`Manager` works). */
export function parseNodeRole(value: unknown): NodeRole {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if ((NODE_ROLES as readonly string[]).includes(lower)) return lower as NodeRole;
  throw apiError(invalidRole(typeof value === 'string' ? value : ''));
}

/** A node availability, matched case-insensitively (`Drain` works). */
export function parseNodeAvailability(value: unknown, statusCode: 400 | 500 = 400): NodeAvailability {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if ((NODE_AVAILABILITIES as readonly string[]).includes(lower)) return lower as NodeAvailability;
  throw apiError(invalidAvailability(typeof value === 'string' ? value : '', statusCode));
}

/**
 * The node spec of `POST /nodes/{id}/update` as the daemon stores it (MB:convert/node.go
 * NodeSpecToGRPC): role is checked before availability, both lower-cased, labels default to {}.
 */
export function validateNodeSpec(spec: NodeSpecInput | null | undefined): NodeSpec {
  const role = parseNodeRole(spec?.Role);
  const availability = parseNodeAvailability(spec?.Availability);
  const out: NodeSpec = { Labels: { ...(spec?.Labels ?? {}) }, Role: role, Availability: availability };
  return spec?.Name ? { Name: spec.Name, ...out } : out;
}

/** `DataPathPort` of `swarm init`: 0 means 4789; otherwise 1024–49151. */
export function resolveDataPathPort(port: number | undefined): number {
  if (!port) return DEFAULT_DATA_PATH_PORT;
  if (!Number.isInteger(port) || port < DATA_PATH_PORT_MIN || port > DATA_PATH_PORT_MAX) {
    throw apiError(dataPathPortOutOfRange(port));
  }
  return port;
}

function prefixLength(cidr: string): number | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const address = cidr.slice(0, slash);
  const bitsText = cidr.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= (family === 4 ? 32 : 128) ? bits : undefined;
}

/**
 * `DefaultAddrPool`/`SubnetSize` of `swarm init`. No pool keeps `DefaultAddrPool: null` in the swarm
 * object (the allocator then uses 10.0.0.0/8); SubnetSize 0 means 24, at most 29.
 */
export function resolveDefaultAddrPool(
  pool: readonly string[] | null | undefined,
  subnetSize: number | undefined,
): { DefaultAddrPool: string[] | null; SubnetSize: number } {
  const size = subnetSize || DEFAULT_SUBNET_SIZE;
  if (!pool || pool.length === 0) return { DefaultAddrPool: null, SubnetSize: size };
  if (size > MAX_SUBNET_SIZE) throw apiError(subnetSizeOutOfRange(size));
  const trimmed = pool.map((p) => String(p).trim());
  for (const cidr of trimmed) {
    const bits = prefixLength(cidr);
    if (bits === undefined) throw apiError(invalidBasePool(cidr));
    if (size < bits) throw apiError(subnetSizeTooSmall(cidr, size));
  }
  return { DefaultAddrPool: trimmed, SubnetSize: size };
}

/** SwarmKit's checks of a cluster spec (SK:manager/controlapi/cluster.go validateClusterSpec). */
export function swarmSpecError(spec: SwarmSpec): DaemonError | undefined {
  const expiry = spec.CAConfig.NodeCertExpiry;
  if (expiry !== undefined && expiry < MIN_NODE_CERT_EXPIRY) return MIN_CERT_EXPIRY;
  const heartbeat = spec.Dispatcher.HeartbeatPeriod;
  if (heartbeat !== undefined && heartbeat < 0) return NEGATIVE_HEARTBEAT_PERIOD;
  return undefined;
}

/** `swarm update` (and init) accept only the name `default`, or none. */
export function validateSwarmSpecName(spec: SwarmSpecInput | undefined): void {
  const name = spec?.Name ?? '';
  if (name !== '' && name !== 'default') throw apiError(SWARM_SPEC_NAME);
}

/** What `POST /swarm/init` goes on with once the daemon accepted the request. */
export interface ResolvedSwarmInit {
  listenAddr: string;
  advertiseAddr: string;
  dataPathAddr: string;
  dataPathPort: number;
  forceNewCluster: boolean;
  availability: NodeAvailability;
  autoLockManagers: boolean;
  defaultAddrPool: string[] | null;
  subnetSize: number;
  /** The cluster spec to store: SwarmKit's defaults merged with the request's spec. */
  spec: SwarmSpec;
}

/**
 * Checks a `POST /swarm/init` body in the daemon's order (MB:daemon/cluster/swarm.go Init) and
 * resolves its defaults. "Already in a swarm" is the caller's check, made first.
 */
export function resolveSwarmInitRequest(request: SwarmInitRequest): ResolvedSwarmInit {
  if (!request.ListenAddr) throw apiError(EMPTY_LISTEN_ADDR);
  validateSwarmSpecName(request.Spec);
  const pool = resolveDefaultAddrPool(request.DefaultAddrPool, request.SubnetSize);
  const dataPathPort = resolveDataPathPort(request.DataPathPort);
  const availability = request.Availability ? parseNodeAvailability(request.Availability, 500) : 'active';
  const spec = fillSwarmSpecDefaults(request.Spec);
  const invalid = swarmSpecError(spec);
  if (invalid) throw apiError(errorUpdatingClusterSettings(invalid));
  return {
    listenAddr: request.ListenAddr,
    advertiseAddr: request.AdvertiseAddr ?? '',
    dataPathAddr: request.DataPathAddr ?? '',
    dataPathPort,
    forceNewCluster: request.ForceNewCluster === true,
    availability,
    autoLockManagers: request.AutoLockManagers === true,
    defaultAddrPool: pool.DefaultAddrPool,
    subnetSize: pool.SubnetSize,
    spec,
  };
}

/** Checks a `POST /swarm/join` body (MB:swarm.go validateAndSanitizeJoinRequest, then the node start). */
export function validateSwarmJoinRequest(request: SwarmJoinRequest): SwarmJoinRequest & { Availability: NodeAvailability } {
  if (!request.ListenAddr) throw apiError(EMPTY_LISTEN_ADDR);
  if (!request.RemoteAddrs || request.RemoteAddrs.length === 0) throw apiError(JOIN_NEEDS_REMOTE_ADDR);
  if (request.RemoteAddrs.some((addr) => !addr)) throw apiError(EMPTY_REMOTE_ADDR);
  const availability = request.Availability ? parseNodeAvailability(request.Availability, 500) : 'active';
  return { ...request, RemoteAddrs: [...request.RemoteAddrs], Availability: availability };
}

const UNLOCK_KEY_PREFIX = 'SWMKEY-1-';
const RAW_STD_BASE64 = /^[A-Za-z0-9+/]*$/;

/**
 * The key bytes of a human-readable unlock key (`SWMKEY-1-` + unpadded base64), as SwarmKit's
 * encryption.ParseHumanReadableKey accepts it. Throws "invalid key string" (400) otherwise; a
 * well-formed but wrong key is the caller's INVALID_UNLOCK_KEY.
 */
export function parseUnlockKey(key: unknown): Buffer {
  if (typeof key !== 'string' || !key.startsWith(UNLOCK_KEY_PREFIX)) throw apiError(INVALID_KEY_STRING);
  const body = key.slice(UNLOCK_KEY_PREFIX.length);
  if (!RAW_STD_BASE64.test(body) || body.length % 4 === 1) throw apiError(INVALID_KEY_STRING);
  return Buffer.from(body, 'base64');
}

const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/**
 * SwarmKit's checks of a stored service spec that carry known texts (SK:manager/controlapi/
 * service.go): name, image, update/rollback failure ratio, dnsrr with ingress ports, jobs with an
 * update config. Returns the first error, in that order.
 */
export function serviceSpecError(spec: ServiceSpec): DaemonError | undefined {
  if (!DNS_LABEL.test(spec.Name)) return INVALID_DNS_NAME;
  if (spec.Name.length > 63) return NAME_TOO_LONG;
  if (!spec.TaskTemplate.ContainerSpec?.Image) return IMAGE_REQUIRED;
  for (const config of [spec.UpdateConfig, spec.RollbackConfig]) {
    if (config && (config.MaxFailureRatio < 0 || config.MaxFailureRatio > 1)) return MAX_FAILURE_RATIO_RANGE;
  }
  const endpoint = spec.EndpointSpec;
  if (endpoint?.Mode === 'dnsrr' && endpoint.Ports?.some((p) => (p.PublishMode ?? 'ingress') === 'ingress')) {
    return DNSRR_WITH_INGRESS_PORTS;
  }
  if ((spec.Mode.ReplicatedJob || spec.Mode.GlobalJob) && spec.UpdateConfig) return JOBS_NO_UPDATE_CONFIG;
  return undefined;
}
