// Store changes → swarm events, as moby's daemon turns its SwarmKit watch into events
// (moby daemon/events.go: generateClusterEvent, logNodeEvent, logServiceEvent, …). Only nodes,
// services, networks, secrets and configs are watched; tasks and the cluster object never make
// events. An update names the fields that changed as `<field>.old` / `<field>.new` pairs.

import { parseTimestamp } from '@swarmlab/api';
import type { StoreEvent, StoredObject } from '../../store/memory.js';
import type { ClusterEvent, ClusterEventAction, ClusterEventType } from './message.js';

const WATCHED: ReadonlySet<string> = new Set<ClusterEventType>(['node', 'service', 'network', 'secret', 'config']);

const ACTIONS: Record<StoreEvent['action'], ClusterEventAction> = { create: 'create', update: 'update', delete: 'remove' };

type Loose = Record<string, any>;

/**
 * The event a store change makes, or undefined for tables no event is made for. Creates carry the
 * object's CreatedAt, updates its UpdatedAt; a removal has no timestamp in the store, so it
 * carries `removedAt` (the daemon's "now"), as moby's eventTimestamp does.
 */
export function clusterEventFrom(change: StoreEvent, removedAt: () => bigint): ClusterEvent | undefined {
  if (!WATCHED.has(change.table)) return undefined;
  const type = change.table as ClusterEventType;
  const action = ACTIONS[change.action];
  const object = change.object as Loose;
  const old = change.action === 'update' ? (change.old as Loose | undefined) : undefined;
  const attributes: Record<string, string> = { name: type === 'node' ? nodeName(object) : String(object.Spec?.Name ?? '') };
  if (old && type === 'node') Object.assign(attributes, nodeChanges(old, object));
  if (old && type === 'service') Object.assign(attributes, serviceChanges(old, object));
  return {
    Type: type,
    Action: action,
    Actor: { ID: change.object.ID, Attributes: attributes },
    scope: 'swarm',
    timeNano: action === 'remove' ? removedAt() : stamp(change.object, action === 'create' ? 'CreatedAt' : 'UpdatedAt', removedAt),
  };
}

function stamp(o: StoredObject, field: 'CreatedAt' | 'UpdatedAt', fallback: () => bigint): bigint {
  try {
    return parseTimestamp(o[field]);
  } catch {
    // Every stored object carries both times; an unreadable one still makes an event.
    return fallback();
  }
}

/** Spec name, else the hostname (a node's Spec.Name is usually empty). */
function nodeName(n: Loose): string {
  return String(n.Spec?.Name || n.Description?.Hostname || '');
}

function pair(out: Record<string, string>, field: string, before: string, after: string): void {
  if (before === after) return;
  out[`${field}.old`] = before;
  out[`${field}.new`] = after;
}

/**
 * Availability, role (the certificate's, not the desired one) and status state; leader and
 * reachability only when both versions carry a ManagerStatus (SwarmKit fills it in when
 * answering, so stored nodes rarely do).
 */
export function nodeChanges(old: Loose, now: Loose): Record<string, string> {
  const out: Record<string, string> = {};
  pair(out, 'availability', lower(old.Spec?.Availability, 'active'), lower(now.Spec?.Availability, 'active'));
  pair(out, 'role', lower(old.role, 'worker'), lower(now.role, 'worker'));
  pair(out, 'state', lower(old.Status?.State, 'unknown'), lower(now.Status?.State, 'unknown'));
  if (old.ManagerStatus && now.ManagerStatus) {
    pair(out, 'leader', String(Boolean(old.ManagerStatus.Leader)), String(Boolean(now.ManagerStatus.Leader)));
    pair(out, 'reachability', lower(old.ManagerStatus.Reachability, 'unknown'), lower(now.ManagerStatus.Reachability, 'unknown'));
  }
  return out;
}

/**
 * Image (container services), replicas (when replicated before and after) and the rolling
 * update's state: `updatestate.new` alone when there was no UpdateStatus before (an update
 * clears it), a pair when its state changed.
 */
export function serviceChanges(old: Loose, now: Loose): Record<string, string> {
  const out: Record<string, string> = {};
  const container = now.Spec?.TaskTemplate?.ContainerSpec;
  const oldContainer = old.Spec?.TaskTemplate?.ContainerSpec;
  if (container && oldContainer) pair(out, 'image', String(oldContainer.Image ?? ''), String(container.Image ?? ''));
  const replicated = now.Spec?.Mode?.Replicated;
  const oldReplicated = old.Spec?.Mode?.Replicated;
  // SwarmKit stores 1 for a replicated spec that gave no count.
  if (replicated && oldReplicated) pair(out, 'replicas', String(oldReplicated.Replicas ?? 1), String(replicated.Replicas ?? 1));
  if (now.UpdateStatus) {
    const state = lower(now.UpdateStatus.State, 'unknown');
    if (!old.UpdateStatus) out['updatestate.new'] = state;
    else pair(out, 'updatestate', lower(old.UpdateStatus.State, 'unknown'), state);
  }
  return out;
}

/** SwarmKit's enum names lowered; the zero value when the field is absent. */
function lower(value: unknown, zero: string): string {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : zero;
}
