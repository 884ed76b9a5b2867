// The workload's clients: `concurrency` loops, each one Jepsen process at a time, sending every
// operation to a manager drawn from the seed. After an indeterminate (info) completion a client
// continues as a new process, as Jepsen's do, so each process has one outstanding operation.

import type { Lab } from '@swarmlab/launcher';
import type { Schedule } from '../types.js';
import type { HistoryRecorder } from './recorder.js';
import { registerOperation } from './register.js';
import { mulberry32 } from '../prng.js';
import { servicesOperation } from './services.js';

export interface WorkloadContext {
  lab: Lab;
  schedule: Schedule;
  recorder: HistoryRecorder;
  managers: Set<string>;
  registerKeys: string[];
  /** Probe secret values created by the workload (for the at-rest check). */
  secrets: { name: string; value: Buffer }[];
  requestTimeoutMs: number;
}

export async function runClients(w: WorkloadContext, until: () => boolean): Promise<void> {
  const { schedule } = w;
  await Promise.all(
    Array.from({ length: schedule.concurrency }, async (_, client) => {
      const rng = mulberry32(schedule.seed * 1000 + client + 1);
      let process = client;
      while (!until()) {
        const node = rng.pick([...w.managers].sort());
        const c = { process, node, api: w.lab.client(node, w.requestTimeoutMs) };
        const useRegister = schedule.workload === 'register' || (schedule.workload === 'mixed' && rng.next() < 0.5);
        const outcome = useRegister
          ? await registerOperation(w.recorder, c, rng, w.registerKeys)
          : await servicesOperation(w.recorder, c, rng, w.secrets);
        if (outcome === 'info') process += schedule.concurrency;
        // A refused connection fails at once; pause briefly so a dead node does not spin the loop.
        if (outcome !== 'ok') await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
}
