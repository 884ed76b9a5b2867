// Lose quorum, get it back, lose it for good, and recover with --force-new-cluster.
//
// With two of three managers gone, the one left cannot elect a leader, so every control call
// fails with Docker's "The swarm does not have a leader" error. A manager coming back restores
// the majority. When they cannot come back, `docker swarm init --force-new-cluster` on the
// survivor (here its API call: swarmInit with ForceNewCluster) makes it a one-manager swarm that
// keeps the state — nodes, labels, tokens. The lost managers are no longer members; in a real
// swarm you would wipe them (`docker swarm leave --force`) and join them again.
//
//   pnpm swarmlab run examples/quorum-loss.ts

import type { DockerClient } from '@swarmlab/api';
import type { LabApi } from '@swarmlab/launcher';

const NO_LEADER = 'The swarm does not have a leader';

/** Resolves with Docker's error once control calls fail for want of a leader. */
function noLeader(lab: LabApi, api: DockerClient): Promise<string> {
  return lab.waitFor(
    async () => {
      try {
        await api.nodeList();
        return undefined;
      } catch (e) {
        return String(e).includes(NO_LEADER) ? String(e) : undefined;
      }
    },
    20_000,
    'control calls to fail without a leader',
  );
}

export default async function quorumLoss(lab: LabApi) {
  const survivor = await lab.waitFor(() => lab.leader(), 10_000, 'a leader');
  const addr = (await lab.list()).find((n) => n.name === survivor)!.addr;
  const api = lab.client(survivor, 5000);

  // Some state to keep: a label on a worker.
  const worker = (await api.nodeList()).find((n) => n.Spec.Role === 'worker')!;
  await api.nodeUpdate(worker.ID, worker.Version.Index, { ...worker.Spec, Labels: { ...worker.Spec.Labels, kept: 'yes' } });
  console.log(`labelled ${worker.Description.Hostname} kept=yes through ${survivor}`);

  const [back, gone] = (await lab.resolve('managers')).filter((m) => m !== survivor);
  await lab.kill(`${back},${gone}`);
  console.log(`killed ${back} and ${gone}: ${survivor} is alone, 1 of 3 managers`);
  console.log(`quorum lost: ${await noLeader(lab, api)}`);

  await lab.start(back);
  await lab.waitFor(async () => (await api.nodeList()).length > 0, 20_000, 'control calls to work again');
  console.log(`started ${back}: 2 of 3 managers are a majority again, control calls work`);

  await lab.kill(back);
  await noLeader(lab, api);
  console.log(`killed ${back} again: quorum lost, and this time the managers are not coming back`);

  const nodeId = await api.swarmInit({ ForceNewCluster: true, ListenAddr: '0.0.0.0:2377', AdvertiseAddr: addr });
  console.log(`docker swarm init --force-new-cluster on ${survivor} (node ${nodeId})`);

  const managers = await lab.waitFor(
    async () => {
      const nodes = await api.nodeList();
      const kept = nodes.find((n) => n.ID === worker.ID)?.Spec.Labels?.kept === 'yes';
      const managers = nodes.filter((n) => n.ManagerStatus).map((n) => n.Description.Hostname);
      return kept && managers.length === 1 ? managers : undefined;
    },
    20_000,
    'a one-manager swarm that kept the state',
  );
  console.log(`recovered: ${managers[0]} is the only manager, and the label is still there`);
  return { survivor, lost: [back, gone], managers };
}
