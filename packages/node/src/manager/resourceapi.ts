// SwarmKit's ResourceAllocator (manager/resourceapi): how a node's engine puts a container it runs
// outside any service (docker run --network NET) on an attachable swarm network. The node asks the
// leader through its session; the leader stores a network attachment task for that node, which the
// allocator gives an address on the network and the dispatcher hands to the node like any task of
// it. Detaching deletes the task.

import { isNetworkAttachmentTask, type Task } from '@swarmlab/api';
import { newIdentityId } from '@swarmlab/pki/light';
import { toDockerTime } from '../clock.js';
import { grpcError } from '../errors.js';
import { commit, type ManagerContext } from './context.js';
import { findNetwork } from './controlapi/networks.js';
import type { TaskObject } from './objects.js';

export interface AttachNetworkRequest {
  /** The network's name or ID, as the user gave it. */
  target: string;
  containerId: string;
  /** Names the container answers to on the network (its name first). */
  aliases?: string[];
}

export async function attachNetwork(ctx: ManagerContext, nodeId: string, req: AttachNetworkRequest): Promise<{ attachmentId: string }> {
  if (!req || typeof req.target !== 'string' || typeof req.containerId !== 'string' || req.containerId === '') {
    throw grpcError('InvalidArgument', 'network attachment: target and container ID are required');
  }
  const aliases = Array.isArray(req.aliases) ? req.aliases.filter((a): a is string => typeof a === 'string' && a !== '') : [];
  const network = findNetwork(ctx, req.target);
  if (!network.Spec.Attachable) throw grpcError('PermissionDenied', `network ${req.target} not manually attachable`);
  const time = toDockerTime(ctx.clock.now());
  const task = {
    ID: newIdentityId(),
    Version: { Index: 0 },
    CreatedAt: time,
    UpdatedAt: time,
    Labels: {},
    Spec: { NetworkAttachmentSpec: { ContainerID: req.containerId }, Networks: [{ Target: network.ID, ...(aliases.length ? { Aliases: aliases } : {}) }], ForceUpdate: 0 },
    ServiceID: '',
    NodeID: nodeId,
    Status: { Timestamp: time, State: 'new', Message: 'created', PortStatus: {} },
    DesiredState: 'running',
  } as unknown as Task;
  await commit(ctx, [{ action: 'create', table: 'task', object: task as unknown as TaskObject }]);
  return { attachmentId: task.ID };
}

export async function detachNetwork(ctx: ManagerContext, nodeId: string, attachmentId: string): Promise<void> {
  const task = ctx.store.get<TaskObject>('task', attachmentId);
  if (!task) return;
  if (task.NodeID !== nodeId || !isNetworkAttachmentTask(task)) throw grpcError('PermissionDenied', 'cannot detach a network attachment of another node');
  await commit(ctx, [{ action: 'delete', table: 'task', id: attachmentId }]);
}
