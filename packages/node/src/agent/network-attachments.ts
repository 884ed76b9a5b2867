// This node's network attachment tasks: the places its containers run outside services have on
// attachable swarm networks (SwarmKit's attachment tasks). Asking for one goes to the leader's
// resource allocator through the session; the task then comes back with the other assignments,
// with the container's address. An attachment of this node that this process did not ask for
// belongs to a container that died with an earlier process: it is detached, freeing the address.

import { isNetworkAttachmentTask, type Task } from '@swarmlab/api';
import type { Log } from '../log.js';

/** The leader's resource allocator, through the session. */
export interface ResourceAllocator {
  attachNetwork(target: string, containerId: string, aliases: string[]): Promise<{ attachmentId: string }>;
  detachNetwork(attachmentId: string): Promise<void>;
}

/** How long docker run waits for the leader to give an attached container its address. */
const ATTACHMENT_TIMEOUT_MS = 20_000;

export class NetworkAttachments {
  /** As assigned, by task ID. */
  private readonly tasks = new Map<string, Task>();
  private readonly waiters = new Map<string, (t: Task) => void>();
  /** The container keys this process asked attachments for. */
  private readonly keys = new Set<string>();
  private readonly orphansDetached = new Set<string>();

  constructor(private readonly o: { resources?: ResourceAllocator; log: Log }) {}

  /** Asks the leader for an attachment and waits until its task, with the address, is assigned here. */
  async attach(target: string, containerId: string, aliases: string[]): Promise<Task> {
    const resources = this.o.resources;
    if (!resources) throw new Error('swarm networks are reachable only on a node in a swarm');
    this.keys.add(containerId);
    let attachmentId: string;
    try {
      ({ attachmentId } = await resources.attachNetwork(target, containerId, aliases));
    } catch (e) {
      this.keys.delete(containerId);
      throw e;
    }
    const known = this.tasks.get(attachmentId);
    if (known?.NetworksAttachments?.length) return known;
    try {
      return await new Promise<Task>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for an address on network ${target}`)), ATTACHMENT_TIMEOUT_MS);
        this.waiters.set(attachmentId, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    } catch (e) {
      await resources.detachNetwork(attachmentId).catch(() => undefined);
      this.keys.delete(containerId);
      throw e;
    } finally {
      this.waiters.delete(attachmentId);
    }
  }

  async detach(attachmentId: string): Promise<void> {
    const key = this.tasks.get(attachmentId)?.Spec.NetworkAttachmentSpec?.ContainerID;
    this.tasks.delete(attachmentId);
    await this.o.resources?.detachNetwork(attachmentId);
    if (key) this.keys.delete(key);
  }

  /** An assigned task: true (and taken) if it is a network attachment. */
  offer(task: Task): boolean {
    if (!isNetworkAttachmentTask(task)) return false;
    this.tasks.set(task.ID, task);
    if (task.NetworksAttachments?.length) this.waiters.get(task.ID)?.(task);
    const key = task.Spec.NetworkAttachmentSpec?.ContainerID ?? '';
    if (!this.keys.has(key) && !this.orphansDetached.has(task.ID)) {
      this.orphansDetached.add(task.ID);
      void this.o.resources?.detachNetwork(task.ID).catch((e) => this.o.log('warn', 'worker: could not detach an orphaned network attachment', { task: task.ID, err: String(e) }));
    }
    return true;
  }

  /** A complete assignment set has been offered: attachments not in it are gone. */
  keepOnly(assigned: ReadonlySet<string>): void {
    for (const id of this.tasks.keys()) if (!assigned.has(id)) this.tasks.delete(id);
  }
}
