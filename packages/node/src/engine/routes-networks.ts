// The Engine API's network endpoints (moby api/server/router/network/network_routes.go): the
// answer merges what the swarm managers know (every swarm network) with what this node's engine
// has (its local networks and the swarm networks instantiated on it). A worker only has the
// latter, as a real worker does.

import { GO_NETWORK_CREATE_REQUEST, type Network, type NetworkCreateRequest } from '@swarmlab/api';
import type { ServerResponse } from 'node:http';
import type { Daemon } from '../daemon/daemon.js';
import { ApiError, DAEMON } from '../errors.js';
import type { Attachment } from '../manager/controlapi/network-view.js';
import { checkOnDaemon, SWARM_LOCAL_NETWORKS } from '../manager/controlapi/network-validation.js';
import type { NetworkViews } from '../manager/controlapi/networks.js';
import { jsonBody, sendJson, type Router } from './http.js';
import { filterNetworks, parseNetworkFilters } from './network-filters.js';
import { instantiatedNetworks, listForm, predefinedNetworks, type LocalNetworking } from './local-networks.js';

const createdAt = new WeakMap<Daemon, string>();

function inSwarm(daemon: Daemon): boolean {
  return daemon.state === 'active';
}

function localNetworking(daemon: Daemon): LocalNetworking {
  if (!createdAt.has(daemon)) createdAt.set(daemon, daemon.o.clock.iso());
  const active = inSwarm(daemon);
  return {
    inSwarm: daemon.state !== 'inactive',
    nodeKey: daemon.addr,
    nodeId: daemon.nodeId,
    hostname: daemon.hostname(),
    addr: daemon.addr,
    created: createdAt.get(daemon)!,
    attachments: active ? (((daemon.session.node as { attachments?: Attachment[] }).attachments ?? []) as Attachment[]) : [],
    assignments: active ? daemon.session.tasks : [],
    containers: ((daemon.status().containers ?? []) as { id: string; taskId: string; state: string }[]).map((c) => ({
      id: c.id,
      taskId: c.taskId,
      state: c.state,
    })),
  };
}

/**
 * What this node can show: the managers' view (manager only; a failing manager call leaves the
 * local networks, as the daemon ignores cluster errors when listing) and its engine's own.
 */
async function views(daemon: Daemon, verbose: boolean): Promise<{ cluster: Network[]; local: Network[] }> {
  const node = localNetworking(daemon);
  const predefined = predefinedNetworks(node, true);
  if (daemon.isManager() && inSwarm(daemon)) {
    try {
      const v = (await daemon.control('network.view', { verbose })) as NetworkViews;
      return { cluster: v.cluster, local: [...predefined, ...v.local] };
    } catch {
      return { cluster: [], local: predefined };
    }
  }
  return { cluster: [], local: [...predefined, ...instantiatedNetworks(node)] };
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/**
 * One network by reference (the daemon's getNetwork / findUniqueNetwork): an exact ID first, the
 * engine's own networks before the managers', then an exact name, then an ID prefix; several
 * matches are ambiguous.
 */
export function resolveNetwork(term: string, local: Network[], cluster: Network[], scope?: string): Network {
  const inScope = (n: Network) => !scope || n.Scope === scope;
  const byName = new Map<string, Network>();
  const byPrefix = new Map<string, Network>();
  for (const n of local.filter(inScope)) {
    if (n.Id === term) return n;
    if (n.Name === term) byName.set(n.Id, n);
    if (n.Id.startsWith(term)) byPrefix.set(n.Id, n);
  }
  // The managers' own lookup: ID, then name, then a unique ID prefix.
  const named = cluster.filter((n) => n.Name === term);
  const prefixed = cluster.filter((n) => n.Id.startsWith(term));
  const managed = cluster.find((n) => n.Id === term) ?? (named.length === 1 ? named[0] : named.length === 0 && prefixed.length === 1 ? prefixed[0] : undefined);
  if (managed && (managed.Id.startsWith(term) || scope === 'swarm')) return byPrefix.get(managed.Id) ?? byName.get(managed.Id) ?? managed;
  for (const n of cluster.filter(inScope)) {
    if (n.Name === term && !byName.has(n.Id)) byName.set(n.Id, n);
    if (n.Id.startsWith(term) && !byPrefix.has(n.Id)) byPrefix.set(n.Id, n);
  }
  if (byName.size === 1) return [...byName.values()][0];
  if (byName.size > 1) throw new ApiError(400, `${byName.size} matches found based on name: network ${term} is ambiguous`);
  if (byPrefix.size === 1) return [...byPrefix.values()][0];
  if (byPrefix.size > 1) throw new ApiError(400, `${byPrefix.size} matches found based on ID prefix: network ${term} is ambiguous`);
  throw new ApiError(404, `network ${term} not found`);
}

export function networkRoutes(r: Router, daemon: Daemon): void {
  r.on('GET', '/networks', async (req) => {
    const filters = parseNetworkFilters(req.query.get('filters') ?? undefined);
    const { cluster, local } = await views(daemon, false);
    const fromManagers = filterNetworks(cluster, filters, true);
    const seen = new Set(fromManagers.map((n) => n.Id));
    const fromEngine = filterNetworks(local.map((n) => (n.Scope === 'swarm' ? listForm(n) : predefinedListForm(n))), filters);
    return [...fromManagers, ...fromEngine.filter((n) => !seen.has(n.Id))];
  });

  r.on('GET', '/networks/{id}', async (req) => {
    const verboseText = req.query.get('verbose') ?? '';
    const verbose = verboseText === '' ? false : parseBool(verboseText);
    if (verbose === undefined) {
      throw new ApiError(400, `invalid value for verbose: ${verboseText}: strconv.ParseBool: parsing "${verboseText}": invalid syntax`);
    }
    const { cluster, local } = await views(daemon, verbose);
    return resolveNetwork(req.params.id, local, cluster, req.query.get('scope') || undefined);
  });

  r.on('POST', '/networks/create', async (req, res: ServerResponse) => {
    const request = await jsonBody<NetworkCreateRequest>(req, GO_NETWORK_CREATE_REQUEST);
    if (daemon.isManager() && inSwarm(daemon)) {
      sendJson(res, 201, await daemon.control('network.create', { request }));
      return;
    }
    if (daemon.state === 'locked') throw DAEMON.locked();
    checkOnDaemon(request, { inSwarm: inSwarm(daemon), manager: false }, inSwarm(daemon) ? SWARM_LOCAL_NETWORKS : []);
  });

  r.on('DELETE', '/networks/{id}', async (req, res: ServerResponse) => {
    const { cluster, local } = await views(daemon, false);
    const n = resolveNetwork(req.params.id, local, cluster);
    if (n.Scope === 'swarm') {
      if (!daemon.isManager()) throw DAEMON.workerCannotControl();
      await daemon.control('network.remove', { ref: n.Id });
    } else if (SWARM_LOCAL_NETWORKS.includes(n.Name)) {
      throw new ApiError(403, `error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
    } else {
      throw new ApiError(403, `${n.Name} is a pre-defined network and cannot be removed`);
    }
    res.writeHead(204);
    res.end();
  });
}

/** The engine lists its own networks without their endpoints. */
function predefinedListForm(n: Network): Network {
  return { ...n, Containers: {} };
}
