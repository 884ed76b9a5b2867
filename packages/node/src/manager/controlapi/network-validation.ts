// What `POST /networks/create` checks before a swarm network exists, in Docker's order and words
// (the body's JSON types are checked as it is read): the daemon's own checks (moby
// daemon/network.go createNetwork: predefined names, overlay needs a manager, IPAM validation
// from api/types/network/ipam.go; libnetwork's NewNetwork: drivers and scopes), then SwarmKit's
// (controlapi/network.go validateNetworkSpec: names, ingress rules, IPAM driver and ranges).

import { INVALID_DNS_NAME, NAME_TOO_LONG, NOT_MANAGER_INACTIVE, type NetworkCreateRequest } from '@swarmlab/api';
import { ApiError, daemon, grpcError } from '../../errors.js';
import { contains, formatPrefix, isMasked, masked, overlaps, parseAddr, parsePrefix, type Family, type Prefix } from '../allocator/ip.js';

export const PREDEFINED_NAMES: readonly string[] = ['bridge', 'host', 'none', 'default'];
/** The local networks every swarm node has besides the predefined ones. */
export const SWARM_LOCAL_NETWORKS: readonly string[] = ['docker_gwbridge'];
/** Network drivers a Linux engine ships (`docker info` Plugins.Network). */
export const BUILTIN_DRIVERS: readonly string[] = ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'];
const PREDEFINED_LABEL = 'com.docker.swarm.predefined';
const DNS_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

// ---- the daemon's IPAM validation (moby api/types/network ValidateIPAM) ------------------------------

function validateAddress(address: string | undefined, subnet: Prefix, family: Family): string | undefined {
  if (!address) return undefined;
  const a = parseAddr(address);
  if (!a) return 'invalid address';
  if (a.family !== family) return `parent subnet is an IPv${family} block`;
  if (!contains(subnet, a)) return `parent subnet ${formatPrefix(subnet)} doesn't contain this address`;
  return undefined;
}

function validateRange(range: string | undefined, subnet: Prefix, family: Family): string[] {
  if (!range) return [];
  const p = parsePrefix(range);
  if (!p) return [`invalid ip-range ${range}: invalid CIDR block notation`];
  if (p.addr.family !== family) return [`invalid ip-range ${range}: parent subnet is an IPv${family} block`];
  const errs: string[] = [];
  if (p.bits < subnet.bits) errs.push(`invalid ip-range ${range}: CIDR block is bigger than its parent subnet ${formatPrefix(subnet)}`);
  if (!isMasked(p)) errs.push(`invalid ip-range ${formatPrefix(p)}: it should be ${formatPrefix(masked(p))}`);
  if (!overlaps(subnet, p)) errs.push(`invalid ip-range ${range}: parent subnet ${formatPrefix(subnet)} doesn't contain ip-range`);
  return errs;
}

export function validateIpam(ipam: NetworkCreateRequest['IPAM'], enableIPv6: boolean): void {
  if (!ipam) return;
  const errs: string[] = [];
  for (const cfg of ipam.Config ?? []) {
    const subnet = parsePrefix(cfg.Subnet ?? '');
    if (!subnet) {
      errs.push(`invalid subnet ${cfg.Subnet ?? ''}: invalid CIDR block notation`);
      continue;
    }
    const family = subnet.addr.family;
    if (!enableIPv6 && family === 6) continue;
    if (!isMasked(subnet)) errs.push(`invalid subnet ${formatPrefix(subnet)}: it should be ${formatPrefix(masked(subnet))}`);
    errs.push(...validateRange(cfg.IPRange, subnet, family));
    const gw = validateAddress(cfg.Gateway, subnet, family);
    if (gw) errs.push(`invalid gateway ${cfg.Gateway}: ${gw}`);
    for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const e = validateAddress(aux, subnet, family);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length === 0) return;
  const joined = errs.length === 1 ? errs[0] : errs.map((e) => `* ${e}`).join('\n');
  throw new ApiError(400, `invalid network config:\n${joined}`);
}

// ---- the daemon and libnetwork ---------------------------------------------------------------

export interface NodeRole {
  inSwarm: boolean;
  manager: boolean;
}

/**
 * The receiving daemon's checks. Returns normally when the request goes on to the swarm
 * managers (libnetwork's ManagerRedirectError); local networks are not emulated.
 */
export function checkOnDaemon(req: NetworkCreateRequest, node: NodeRole, localNames: readonly string[]): void {
  const name = req.Name ?? '';
  if (PREDEFINED_NAMES.includes(name)) throw new ApiError(403, `operation is not permitted on predefined ${name} network `);
  const driver = req.Driver || 'bridge';
  // moby answers this with the text it uses outside a swarm, as Forbidden.
  if (driver === 'overlay' && !node.manager) throw new ApiError(403, NOT_MANAGER_INACTIVE.message);
  if (req.EnableIPv4 === false && (driver === 'overlay' || req.Scope === 'swarm')) {
    throw new ApiError(400, 'IPv4 cannot be disabled in a Swarm scoped network');
  }
  validateIpam(req.IPAM, Boolean(req.EnableIPv6));
  if (localNames.includes(name)) throw new ApiError(409, `network with name ${name} already exists`);
  if (!BUILTIN_DRIVERS.includes(driver)) throw new ApiError(404, `plugin "${driver}" not found`);
  if (req.ConfigFrom?.Network) throw new ApiError(404, `configuration network "${req.ConfigFrom.Network}" does not exist`);
  const global = driver === 'overlay';
  if (req.Scope === 'local' && global) throw new ApiError(403, `cannot downgrade network scope for ${driver} networks`);
  if (req.Ingress && !global) throw new ApiError(403, 'Ingress network can only be global scope network');
  if (global || req.Scope === 'swarm') {
    if (!node.inSwarm) throw new ApiError(403, 'cannot create a swarm scoped network when swarm is not active');
    if (!node.manager) throw new ApiError(403, 'Cannot create a multi-host network from a worker node. Please create the network from a manager node.');
    if (global) return;
  }
  throw new ApiError(
    501,
    `swarmlab emulates swarm-scoped overlay networks only; a ${req.Scope === 'swarm' ? 'swarm-scoped' : 'local'} "${driver}" network cannot be created`,
  );
}

// ---- SwarmKit (controlapi validateNetworkSpec) -------------------------------------------------

export function checkOnManager(req: NetworkCreateRequest): void {
  const driver = req.Driver || 'bridge';
  if (req.Ingress && driver !== 'overlay') throw grpcError('Unimplemented', 'only overlay driver is currently supported for ingress network');
  if (req.Attachable && req.Ingress) throw grpcError('InvalidArgument', 'ingress network cannot be attachable');
  const name = req.Name ?? '';
  if (name === '') throw grpcError('InvalidArgument', 'meta: name must be provided');
  if (!DNS_NAME.test(name)) throw daemon(INVALID_DNS_NAME);
  if (name.length > 63) throw daemon(NAME_TOO_LONG);
  if (req.Labels && PREDEFINED_LABEL in req.Labels) {
    throw grpcError('PermissionDenied', `label ${PREDEFINED_LABEL} is for internally created predefined networks and cannot be applied by users`);
  }
  const ipamDriver = req.IPAM?.Driver || 'default';
  if (ipamDriver.toLowerCase() !== 'default') throw grpcError('InvalidArgument', `error during lookup of plugin ${ipamDriver}`);
  for (const c of req.IPAM?.Config ?? []) {
    const subnet = parsePrefix(c.Subnet ?? '');
    if (!subnet) throw grpcError('InvalidArgument', `ipam configuration: invalid subnet ${c.Subnet ?? ''}`);
    if (c.IPRange) {
      const range = parsePrefix(c.IPRange);
      if (!range) throw grpcError('InvalidArgument', `ipam configuration: invalid range ${c.IPRange}`);
      if (!contains(subnet, range.addr)) throw grpcError('InvalidArgument', `ipam configuration: subnet ${c.Subnet} does not contain range ${c.IPRange}`);
    }
    if (c.Gateway) {
      const gw = parseAddr(c.Gateway);
      if (!gw) throw grpcError('InvalidArgument', `ipam configuration: invalid gateway ${c.Gateway}`);
      if (!contains(subnet, gw)) throw grpcError('InvalidArgument', `ipam configuration: subnet ${c.Subnet} does not contain gateway ${c.Gateway}`);
    }
  }
}
