// Control API for nodes (SwarmKit manager/controlapi/node.go), run on the leader.

import { daemon } from '../../errors.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import { enumFilterValues, lookup, matchesLabels } from '../lookup.js';
import {
  decodeFilters,
  DEMOTE_LAST_MANAGER,
  DEMOTE_LOSES_QUORUM,
  invalidMembershipFilter,
  invalidRoleFilter,
  NODE_ROLES,
  nodeIsRaftManager,
  nodeNotDown,
  validateNodeSpec,
  type NodeSpecInput,
  type Task,
} from '@swarmlab/api';
import type { StoredObject } from '../../store/memory.js';
import { publicNode, type NodeObject } from '../objects.js';
import { orphanTasksOfRemovedNode } from '../orchestrator/index.js';

/** The filter keys `GET /nodes` accepts (moby daemon/cluster/filters.go newListNodesFilters). */
const NODE_FILTERS = ['name', 'id', 'label', 'role', 'membership', 'node.label'];
const MEMBERSHIPS = ['pending', 'accepted'];

/** The node as the API shows it, with ManagerStatus computed by this (leader) manager. */
export function renderNode(ctx: ManagerContext, n: NodeObject): Record<string, unknown> {
  const out = publicNode(n) as Record<string, unknown>;
  delete out.ManagerStatus;
  const member = [...ctx.raft.members.values()].find((m) => m.nodeId === n.ID);
  if (member) {
    const leader = ctx.raft.leaderId() === member.raftId;
    out.ManagerStatus = {
      ...(leader ? { Leader: true } : {}),
      Reachability: ctx.raft.isReachable(member.raftId) ? 'reachable' : 'unreachable',
      Addr: member.addr,
    };
  }
  return out;
}

export function findNode(ctx: ManagerContext, ref: string): NodeObject {
  return lookup(ctx.store.list<NodeObject>('node'), ref, (n) => n.Description.Hostname, 'node');
}

export function listNodes(ctx: ManagerContext, filtersRaw?: string): Record<string, unknown>[] {
  const f = decodeFilters(filtersRaw, NODE_FILTERS);
  const roles = enumFilterValues(f.get('role'), NODE_ROLES, invalidRoleFilter);
  const membership = enumFilterValues(f.get('membership'), MEMBERSHIPS, invalidMembershipFilter);
  const nodes = ctx.store.list<NodeObject>('node').filter((n) => {
    const ids = f.get('id');
    if (ids && !ids.some((v) => n.ID.startsWith(v))) return false;
    const names = f.get('name');
    if (names && !names.some((v) => n.Description.Hostname.startsWith(v))) return false;
    if (roles && !roles.includes(n.Spec.Role)) return false;
    // Every node this emulation knows has been accepted.
    if (membership && !membership.includes('accepted')) return false;
    if (!matchesLabels(n.Spec.Labels, f.get('node.label'))) return false;
    if (!matchesLabels(n.Description.Engine.Labels, f.get('label'))) return false;
    return true;
  });
  nodes.sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : 0));
  return nodes.map((n) => renderNode(ctx, n));
}

/** SwarmKit's CanRemoveMember: the members still reachable after the removal keep a quorum. */
export function canRemoveMember(ctx: ManagerContext, raftId: number): boolean {
  const members = [...ctx.raft.members.values()];
  const remaining = members.filter((m) => m.raftId !== raftId);
  const reachable = remaining.filter((m) => ctx.raft.isReachable(m.raftId)).length;
  return reachable >= Math.floor((members.length - 1) / 2) + 1;
}

export type NodeSpecUpdate = NodeSpecInput;

export async function updateNode(ctx: ManagerContext, ref: string, version: number, spec: NodeSpecUpdate): Promise<void> {
  // The daemon converts the spec before it looks the node up (moby daemon/cluster/nodes.go).
  const newSpec = validateNodeSpec(spec);
  const node = findNode(ctx, ref);
  if (newSpec.Role === 'worker' && node.Spec.Role === 'manager') {
    const otherManagers = ctx.store.list<NodeObject>('node').filter((n) => n.ID !== node.ID && n.Spec.Role === 'manager');
    if (otherManagers.length === 0) throw daemon(DEMOTE_LAST_MANAGER);
    const member = [...ctx.raft.members.values()].find((m) => m.nodeId === node.ID);
    if (member && !canRemoveMember(ctx, member.raftId)) {
      throw daemon(DEMOTE_LOSES_QUORUM);
    }
  }
  await commit(ctx, [{ action: 'patch', table: 'node', id: node.ID, set: { Spec: newSpec }, expectVersion: version }]);
}

export async function removeNode(ctx: ManagerContext, ref: string, force: boolean): Promise<void> {
  const node = findNode(ctx, ref);
  const member = [...ctx.raft.members.values()].find((m) => m.nodeId === node.ID);
  if (member || node.role === 'manager') {
    throw daemon(nodeIsRaftManager(node.ID));
  }
  if (!force && node.Status.State === 'ready') {
    throw daemon(nodeNotDown(node.ID));
  }
  const cluster = clusterOf(ctx);
  const blacklist = [
    ...cluster.secrets.blacklist.filter((b) => b.nodeId !== node.ID),
    { nodeId: node.ID, expiresAt: node.certExpiresAt ?? ctx.clock.now() + 90 * 24 * 3600_000 },
  ];
  // Its tasks that have not ended are orphaned at once (SwarmKit orphanNodeTasks).
  const orphaned = orphanTasksOfRemovedNode(ctx.store.list<Task & StoredObject>('task'), node.ID, ctx.clock.now());
  await commit(ctx, [
    ...orphaned.update.map((u) => ({ action: 'patch' as const, table: 'task' as const, id: u.id, set: u.set })),
    { action: 'delete', table: 'node', id: node.ID },
    { action: 'patch', table: 'cluster', id: cluster.ID, set: { 'secrets.blacklist': blacklist }, expectVersion: cluster.Version.Index },
  ]);
}
