// Control API for services and tasks (SwarmKit manager/controlapi/service.go, task.go), run on
// the leader. The orchestrators, scheduler and dispatcher act on what these calls store.

import {
  decodeFilters,
  fillServiceSpecDefaults,
  invalidDesiredStateFilter,
  isNetworkAttachmentTask,
  noPreviousSpec,
  normalizeServiceSpec,
  serviceNameConflict,
  serviceSpecError,
  TASK_STATES,
  taskStateRank,
  type ServiceSpec,
  type ServiceSpecInput,
} from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki/light';
import { ApiError, grpcError } from '../../errors.js';
import type { StoredObject } from '../../store/memory.js';
import { allocateEndpoint } from '../allocator/endpoint.js';
import { isTaskDirty } from '../orchestrator/index.js';
import { commit, type ManagerContext } from '../context.js';
import { enumFilterValues, lookup, matchesLabels } from '../lookup.js';
import { resolveServiceNetworks } from './networks.js';
import { randomServiceName } from './names.js';
import type { ServiceObject, TaskObject } from '../objects.js';


/** Filter keys of `GET /services` and `GET /tasks` (moby daemon/cluster/services.go, filters.go). */
const SERVICE_FILTERS = ['name', 'id', 'label', 'mode', 'runtime'];
const TASK_FILTERS = ['name', 'id', 'label', 'service', 'node', 'desired-state', '_up-to-date', 'runtime'];
/** SwarmKit's TaskState names, `allocated` included, as the desired-state filter takes them. */
const DESIRED_STATES = [...TASK_STATES, 'allocated'];

/** How `mode=` names a service's mode (moby daemon/cluster/services.go GetServices). */
function modeName(mode: ServiceSpec['Mode']): string {
  if (mode.Global) return 'global';
  if (mode.ReplicatedJob) return 'replicated-job';
  if (mode.GlobalJob) return 'global-job';
  return 'replicated';
}

/** Every service and task here runs containers: a `runtime` filter without `container` matches none. */
function runtimeMatches(runtimes: string[] | undefined): boolean {
  return !runtimes || runtimes.length === 0 || runtimes.includes('container');
}

export function findService(ctx: ManagerContext, ref: string): ServiceObject {
  return lookup(ctx.store.list<ServiceObject>('service'), ref, (s) => s.Spec.Name, 'service');
}

/** Secrets and configs a spec refers to must exist: SwarmKit's "… not found" texts. */
function checkReferences(ctx: ManagerContext, spec: ServiceSpec): void {
  const c = spec.TaskTemplate.ContainerSpec;
  const check = (kind: 'secret' | 'config', refs: { id: string; name: string }[]) => {
    const missing = refs.filter((r) => !ctx.store.get(kind, r.id)).map((r) => r.name);
    if (missing.length > 0) throw grpcError('InvalidArgument', `${kind}${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}`);
  };
  check('secret', (c?.Secrets ?? []).map((r) => ({ id: r.SecretID, name: r.SecretName })));
  check('config', (c?.Configs ?? []).map((r) => ({ id: r.ConfigID, name: r.ConfigName })));
}

export async function createService(ctx: ManagerContext, input: ServiceSpecInput): Promise<{ ID: string; Warnings?: string[] }> {
  let spec: ServiceSpec;
  try {
    spec = normalizeServiceSpec(input ?? ({} as ServiceSpecInput), { randomName: randomServiceName });
  } catch (e) {
    throw e instanceof Error && 'statusCode' in e ? e : new ApiError(400, String(e));
  }
  resolveServiceNetworks(ctx, spec);
  const invalid = serviceSpecError(spec);
  if (invalid) throw invalid;
  checkReferences(ctx, spec);
  if (ctx.store.findByName('service', spec.Name)) throw serviceNameConflict(spec.Name);
  const now = ctx.clock.iso();
  const id = newIdentityId();
  const { endpoint, reserved } = allocateEndpoint(ctx, id, spec);
  const service = {
    ID: id,
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: spec,
    Endpoint: endpoint,
    // A job's first run begins now (SwarmKit CreateService).
    ...(spec.Mode.ReplicatedJob || spec.Mode.GlobalJob ? { JobStatus: { JobIteration: { Index: 0 }, LastExecution: now } } : {}),
  } as unknown as ServiceObject;
  try {
    await ctx.reservations.during(reserved, () => commit(ctx, [{ action: 'create', table: 'service', object: service }]));
  } catch (e) {
    if (e instanceof ApiError && e.statusCode === 409) throw serviceNameConflict(spec.Name);
    throw e;
  }
  return { ID: id };
}

/** With `statusFrom` (the service's tasks), ServiceStatus is filled as `status=true` asks. */
export function renderService(s: ServiceObject, opts: { insertDefaults?: boolean; statusFrom?: TaskObject[] } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  // Cleared fields are omitted, as Docker's omitempty does.
  if (out.UpdateStatus == null) delete out.UpdateStatus;
  if (out.PreviousSpec == null) delete out.PreviousSpec;
  // SwarmKit's GetService interpolates defaults into Spec only; PreviousSpec stays as stored.
  if (opts.insertDefaults) out.Spec = fillServiceSpecDefaults(s.Spec);
  if (opts.statusFrom) out.ServiceStatus = serviceStatus(s, opts.statusFrom);
  return out;
}

/**
 * RunningTasks/DesiredTasks/CompletedTasks as `docker service ls` shows them (SwarmKit
 * ListServiceStatuses): a job counts only the tasks of its current run, and desires MaxConcurrent
 * (replicated) or its tasks not yet complete (global).
 */
function serviceStatus(s: ServiceObject, tasks: TaskObject[]): { RunningTasks: number; DesiredTasks: number; CompletedTasks: number } {
  const mode = s.Spec.Mode;
  if (s.JobStatus) {
    const current = tasks.filter((t) => t.JobIteration?.Index === s.JobStatus!.JobIteration.Index);
    return {
      RunningTasks: current.filter((t) => t.Status.State === 'running').length,
      DesiredTasks: mode.ReplicatedJob ? (mode.ReplicatedJob.MaxConcurrent ?? 1) : current.filter((t) => t.DesiredState === 'complete' && t.Status.State !== 'complete').length,
      CompletedTasks: current.filter((t) => t.Status.State === 'complete').length,
    };
  }
  let desired = 0;
  if (mode.Replicated) desired = mode.Replicated.Replicas ?? 1;
  else if (mode.Global) desired = new Set(tasks.filter((t) => t.DesiredState === 'running').map((t) => t.NodeID)).size;
  return {
    RunningTasks: tasks.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running').length,
    DesiredTasks: desired,
    CompletedTasks: 0,
  };
}

export function listServices(ctx: ManagerContext, filtersRaw: string | undefined, status: boolean): Record<string, unknown>[] {
  const f = decodeFilters(filtersRaw, SERVICE_FILTERS);
  if (!runtimeMatches(f.get('runtime'))) return [];
  // Unknown modes are not refused: they match no service (filters.Args.ExactMatch).
  const modes = f.get('mode');
  // `docker service ls` asks for every service's status: group the tasks once, not per service.
  const byService = new Map<string, TaskObject[]>();
  if (status) {
    for (const t of ctx.store.list<TaskObject>('task')) {
      const list = byService.get(t.ServiceID);
      if (list) list.push(t);
      else byService.set(t.ServiceID, [t]);
    }
  }
  return ctx.store
    .list<ServiceObject>('service')
    .filter((s) => {
      const ids = f.get('id');
      if (ids && !ids.some((v) => s.ID.startsWith(v))) return false;
      const names = f.get('name');
      if (names && !names.some((v) => s.Spec.Name.startsWith(v))) return false;
      if (modes && modes.length > 0 && !modes.includes(modeName(s.Spec.Mode))) return false;
      return matchesLabels(s.Spec.Labels, f.get('label'));
    })
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : 1))
    .map((s) => renderService(s, status ? { statusFrom: byService.get(s.ID) ?? [] } : {}));
}

export function inspectService(ctx: ManagerContext, ref: string, insertDefaults: boolean): Record<string, unknown> {
  return renderService(findService(ctx, ref), { insertDefaults });
}

export async function updateService(
  ctx: ManagerContext,
  ref: string,
  version: number,
  input: ServiceSpecInput,
  rollback: boolean,
): Promise<{ Warnings: null }> {
  // The daemon converts the spec before it looks the service up, even for a rollback
  // (moby daemon/cluster/services.go UpdateService). A nameless spec keeps the service's name.
  const sent = normalizeServiceSpec(input ?? ({} as ServiceSpecInput), { randomName: () => '' });
  const s = findService(ctx, ref);
  let spec: ServiceSpec;
  if (rollback) {
    if (!s.PreviousSpec) throw noPreviousSpec(s.ID);
    spec = s.PreviousSpec;
  } else {
    spec = sent.Name === '' ? { ...sent, Name: s.Spec.Name } : sent;
    resolveServiceNetworks(ctx, spec);
    const invalid = serviceSpecError(spec);
    if (invalid) throw invalid;
    if (spec.Name !== s.Spec.Name) throw grpcError('Unimplemented', 'renaming services is not supported');
    if (modeName(spec.Mode) !== modeName(s.Spec.Mode)) throw grpcError('Unimplemented', 'service mode change is not allowed');
    checkReferences(ctx, spec);
  }
  const now = ctx.clock.iso();
  const { endpoint, reserved } = allocateEndpoint(ctx, s.ID, spec, s.Endpoint);
  await ctx.reservations.during(reserved, () =>
    commit(ctx, [
      {
        action: 'patch',
        table: 'service',
        id: s.ID,
        expectVersion: version,
        set: {
          Spec: spec,
          PreviousSpec: s.Spec,
          Endpoint: endpoint,
          // Every update of a job starts its next run.
          ...(s.JobStatus ? { JobStatus: { JobIteration: { Index: s.JobStatus.JobIteration.Index + 1 }, LastExecution: now } } : {}),
          // A rollback is announced at once; a plain update only once the update supervisor finds
          // out-of-date tasks (SwarmKit clears UpdateStatus on an update).
          UpdateStatus: rollback ? { State: 'rollback_started', StartedAt: now, Message: 'manually requested rollback' } : null,
        },
      },
    ]),
  );
  return { Warnings: null };
}

export async function removeService(ctx: ManagerContext, ref: string): Promise<void> {
  const s = findService(ctx, ref);
  // Its tasks are shut down by the orchestrator once the service is gone (SwarmKit sets them to REMOVE).
  const tasks = ctx.store.list<TaskObject>('task').filter((t) => t.ServiceID === s.ID && taskStateRank(t.DesiredState) < taskStateRank('remove'));
  await commit(ctx, [
    { action: 'delete', table: 'service', id: s.ID },
    ...tasks.map((t) => ({ action: 'patch' as const, table: 'task' as const, id: t.ID, set: { DesiredState: 'remove' } })),
  ]);
}

export function listTasks(ctx: ManagerContext, filtersRaw: string | undefined): Record<string, unknown>[] {
  const f = decodeFilters(filtersRaw, TASK_FILTERS);
  const desired = enumFilterValues(f.get('desired-state'), DESIRED_STATES, invalidDesiredStateFilter);
  if (!runtimeMatches(f.get('runtime'))) return [];
  const services = ctx.store.list<ServiceObject>('service');
  const nodes = ctx.store.list<StoredObject & { Description: { Hostname: string } }>('node');
  const serviceIds = f.get('service')?.map((ref) => services.find((s) => s.ID === ref || s.Spec.Name === ref || s.ID.startsWith(ref))?.ID ?? ref);
  const nodeIds = f.get('node')?.map((ref) => nodes.find((n) => n.ID === ref || n.Description.Hostname === ref || n.ID.startsWith(ref))?.ID ?? ref);
  const upToDate = f.has('_up-to-date');
  return ctx.store
    .list<TaskObject>('task')
    .filter((t) => {
      // Network attachment tasks stand for containers outside services: no service or task list shows them.
      if (isNetworkAttachmentTask(t)) return false;
      const ids = f.get('id');
      if (ids && !ids.some((v) => t.ID.startsWith(v))) return false;
      if (serviceIds && !serviceIds.includes(t.ServiceID)) return false;
      if (nodeIds && !nodeIds.includes(t.NodeID ?? '')) return false;
      if (desired && !desired.includes(t.DesiredState as string)) return false;
      const svc = services.find((s) => s.ID === t.ServiceID);
      if (!matchesLabels(svc?.Spec.Labels, f.get('label'))) return false;
      if (upToDate && svc && isTaskDirty(svc, t, nodes.find((n) => n.ID === t.NodeID) as never)) return false;
      const names = f.get('name');
      if (names && svc && !names.some((n) => `${svc.Spec.Name}.${t.Slot ?? t.NodeID}`.startsWith(n))) return false;
      return true;
    })
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : 1));
}

export function inspectTask(ctx: ManagerContext, ref: string): Record<string, unknown> {
  return lookup(ctx.store.list<TaskObject>('task'), ref, () => undefined, 'task');
}
