// The role manager on the leader (SwarmKit manager/role_manager.go): reconciles each node's
// role with its desired role. Promotion flips the role at once (the node then renews its
// certificate as a manager and joins Raft). Demotion first removes the Raft member — the leader
// hands its leadership over before removing itself — and only then flips the role.

import { commit, type ManagerContext } from '../context.js';
import { canRemoveMember } from '../controlapi/nodes.js';
import type { NodeObject } from '../objects.js';

export class RoleManager {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly onChange = (ev: { table: string }) => {
    if (ev.table === 'node') this.kick();
  };

  constructor(private readonly ctx: ManagerContext) {}

  start(): void {
    this.ctx.store.on('change', this.onChange);
    // SwarmKit retries every 5 s; the profile scales it with the dispatcher period.
    this.timer = this.ctx.clock.setInterval(() => this.kick(), this.ctx.profile.dispatcherHeartbeatMs);
    this.kick();
  }

  stop(): void {
    this.ctx.store.off('change', this.onChange);
    if (this.timer) clearInterval(this.timer);
  }

  private kick(): void {
    if (this.busy) return;
    this.busy = true;
    void this.reconcile()
      .catch((e) => this.ctx.log('warn', 'rolemanager: reconcile failed, will retry', { err: String(e) }))
      .finally(() => {
        this.busy = false;
      });
  }

  private async reconcile(): Promise<void> {
    for (const node of this.ctx.store.list<NodeObject>('node')) {
      if (!this.ctx.raft.isLeader()) return;
      if (node.Spec.Role === node.role) continue;
      if (node.Spec.Role === 'manager') {
        await commit(this.ctx, [{ action: 'patch', table: 'node', id: node.ID, set: { role: 'manager' } }]);
        continue;
      }
      const member = [...this.ctx.raft.members.values()].find((m) => m.nodeId === node.ID);
      if (member) {
        if (member.raftId === this.ctx.raft.raftId) {
          // Hand leadership to the reachable peer; the next leader finishes the demotion.
          const peer = [...this.ctx.raft.members.values()].find((m) => m.raftId !== member.raftId && this.ctx.raft.isReachable(m.raftId));
          if (peer) this.ctx.raft.transferLeadership(peer.raftId);
          return;
        }
        if (!canRemoveMember(this.ctx, member.raftId)) continue;
        await this.ctx.raft.removeMember(member.raftId);
      }
      if (!this.ctx.store.get<NodeObject>('node', node.ID)) continue;
      await commit(this.ctx, [{ action: 'patch', table: 'node', id: node.ID, set: { role: 'worker' } }]);
    }
  }
}
