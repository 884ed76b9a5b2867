// Isolate the leader: cut it off from every other node (the Docker API keeps answering: only
// node-to-node traffic is cut). The majority elects a new leader within an election timeout, and
// the old leader, hearing no majority, steps down (check-quorum). After `heal` it rejoins as a
// follower of the new leader.
//
//   pnpm swarmlab run examples/isolate-leader.ts                 # on a fresh 3+2 cluster
//   pnpm swarmlab run examples/isolate-leader.ts --cluster NAME  # on a running one

import { leaderElected, type LabApi } from '@swarmlab/launcher';

export default async function isolateLeader(lab: LabApi) {
  const oldLeader = await lab.waitFor(leaderElected(lab), 10_000, 'a leader');
  console.log(`leader is ${oldLeader}; isolating it`);
  await lab.isolate(oldLeader);

  const newLeader = await lab.waitFor(leaderElected(lab, { not: oldLeader }), 15_000, 'the majority to elect a new leader');
  console.log(`the majority elected ${newLeader}`);

  await lab.waitFor(
    async () => {
      const raft = (await lab.status(oldLeader)).raft as { isLeader: boolean; term: number } | undefined;
      return raft?.isLeader === false;
    },
    15_000,
    `${oldLeader} to step down`,
  );
  console.log(`${oldLeader} stepped down (it cannot hear a majority)`);

  // The new leader's `docker node ls` shows the old one as an unreachable manager.
  const seen = await lab.waitFor(
    async () => {
      const n = (await lab.client(newLeader, 3000).nodeList()).find((x) => x.Description.Hostname === oldLeader);
      return n?.ManagerStatus?.Reachability === 'unreachable' ? n : undefined;
    },
    15_000,
    `${newLeader} to see ${oldLeader} unreachable`,
  );
  console.log(`${newLeader} sees ${oldLeader} as ${seen.ManagerStatus?.Reachability}`);

  await lab.heal();
  await lab.waitFor(() => lab.allReady(), 20_000, 'every node Ready again');
  const leaderAfterHeal = await lab.leader();
  console.log(`healed: every node Ready, ${leaderAfterHeal} leads, ${oldLeader} follows`);
  return { oldLeader, newLeader, leaderAfterHeal };
}
