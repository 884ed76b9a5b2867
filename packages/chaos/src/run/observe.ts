// What the cluster looks like after healing, gathered for the convergence check: each manager's
// store position and digest (from the launcher's control channel), and through the leader's
// Docker API the nodes, the services and their running tasks.

import type { Lab } from '@swarmlab/launcher';

export interface ManagerPosition {
  name: string;
  appliedIndex?: number;
  digest?: string;
  error?: string;
}

export interface ClusterSnapshot {
  managers: ManagerPosition[];
  nodes: { name: string; id: string; status: string; availability: string; role: string }[];
  services: { name: string; replicas?: number; generation?: number; running: number }[];
  tasks: { id: string; service: string; node: string; state: string; desired: string }[];
  error?: string;
}

export async function observeCluster(lab: Lab, managers: string[]): Promise<ClusterSnapshot> {
  const positions = await Promise.all(
    managers.map(async (name): Promise<ManagerPosition> => {
      try {
        const st = (await lab.status(name)) as { store?: { appliedIndex: number; digest: string } };
        return { name, appliedIndex: st.store?.appliedIndex, digest: st.store?.digest };
      } catch (e) {
        return { name, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  const snapshot: ClusterSnapshot = { managers: positions, nodes: [], services: [], tasks: [] };
  const leader = await lab.leader().catch(() => undefined);
  if (!leader) return { ...snapshot, error: 'no leader' };
  try {
    const api = lab.client(leader, 5_000);
    const [nodes, services, tasks] = await Promise.all([api.nodeList(), api.serviceList(), api.taskList()]);
    const hostname = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
    snapshot.nodes = nodes.map((n) => ({
      name: n.Description?.Hostname ?? n.ID,
      id: n.ID,
      status: n.Status?.State ?? 'unknown',
      availability: n.Spec.Availability ?? 'active',
      role: n.Spec.Role ?? 'worker',
    }));
    const serviceName = new Map(services.map((s) => [s.ID, s.Spec.Name]));
    snapshot.tasks = tasks.map((t) => ({
      id: t.ID,
      service: serviceName.get(t.ServiceID) ?? t.ServiceID,
      node: hostname.get(t.NodeID ?? '') ?? t.NodeID ?? '',
      state: t.Status.State,
      desired: t.DesiredState,
    }));
    snapshot.services = services.map((s) => ({
      name: s.Spec.Name,
      replicas: s.Spec.Mode?.Replicated?.Replicas,
      generation: Number(s.Spec.TaskTemplate.ContainerSpec?.Env?.find((e) => e.startsWith('GENERATION='))?.split('=')[1] ?? 0),
      running: snapshot.tasks.filter((t) => t.service === s.Spec.Name && t.state === 'running' && t.desired === 'running').length,
    }));
  } catch (e) {
    snapshot.error = e instanceof Error ? e.message : String(e);
  }
  return snapshot;
}
