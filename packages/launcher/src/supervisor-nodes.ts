// The live view of a cluster's nodes: each process as the launcher sees it (pid, running or
// paused or stopped) joined with the swarm's view as `docker node ls` on the leader shows it.

import type { Node } from '@swarmlab/api';
import type { Lab } from './lab.js';
import type { LiveNode } from './supervisor-protocol.js';

/**
 * The leader, asking only the running managers (Lab.leader asks every node: too many calls for a
 * view polled several times a second on a large cluster).
 */
export async function managerLeader(lab: Lab): Promise<string | undefined> {
  const managers = lab.list().filter((n) => n.role === 'manager' && n.state === 'running');
  const leaders = await Promise.all(
    managers.map(async (m) => {
      try {
        const st = (await lab.control.request(m.name, 'status', {}, 1500)) as { raft?: { isLeader?: boolean; term?: number } };
        const raft = st.raft;
        return raft?.isLeader ? { name: m.name, term: raft.term ?? 0 } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return leaders.filter((l) => l !== undefined).sort((a, b) => b.term - a.term)[0]?.name;
}

/** The leader's `GET /nodes`, or undefined when no leader answers in time. */
export async function leaderNodeList(lab: Lab, timeoutMs = 2000): Promise<Node[] | undefined> {
  const leader = await managerLeader(lab);
  if (!leader) return undefined;
  try {
    return await lab.client(leader, timeoutMs).nodeList();
  } catch {
    return undefined;
  }
}

export function managerStatusOf(n: Node | undefined): string {
  if (!n?.ManagerStatus) return '';
  return n.ManagerStatus.Leader ? 'leader' : (n.ManagerStatus.Reachability ?? 'unknown');
}

export async function liveNodes(lab: Lab): Promise<LiveNode[]> {
  const swarm = await leaderNodeList(lab);
  const byHostname = new Map((swarm ?? []).map((n) => [n.Description?.Hostname, n]));
  return lab.list().map((view) => {
    const n = byHostname.get(view.name);
    return {
      ...view,
      ...(n ? { nodeId: n.ID, availability: n.Spec?.Availability } : {}),
      status: n?.Status?.State ?? 'unknown',
      managerStatus: managerStatusOf(n),
    };
  });
}
