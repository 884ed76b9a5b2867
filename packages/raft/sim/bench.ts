// pnpm bench:raft — committed entries per second of the Raft core, in process, without I/O:
// 3 and 5 voters, one proposer (propose, wait for the commit, repeat) and 64 concurrent ones.

import { parseArgs } from 'node:util';
import { measureThroughput } from './bench-cluster.js';

const TARGET = 200_000;

function main(): number {
  let values;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: { seconds: { type: 'string', default: '2' }, payload: { type: 'string', default: '64' } },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\nusage: bench [--seconds S] [--payload BYTES]`);
    return 2;
  }
  const seconds = Number(values.seconds);
  const payload = Number(values.payload);
  if (!(seconds > 0) || !Number.isInteger(payload) || payload < 0) {
    console.error('bench: --seconds wants a positive number and --payload a byte count');
    return 2;
  }

  // A short run first, so the JIT has compiled the hot paths before anything is measured.
  measureThroughput(3, 64, Math.min(0.5, seconds), payload);

  console.log(`@swarmlab/raft: committed entries/s, one process, no I/O, no faults; ${payload}-byte payloads, ${seconds} s per case`);
  console.log('voters  proposers  committed   entries/s');
  let batched3 = 0;
  for (const voters of [3, 5]) {
    for (const proposers of [1, 64]) {
      const r = measureThroughput(voters, proposers, seconds, payload);
      if (voters === 3 && proposers === 64) batched3 = r.perSecond;
      console.log(
        `${String(voters).padStart(6)}  ${String(proposers).padStart(9)}  ${String(r.committed).padStart(9)}  ${Math.round(r.perSecond).toLocaleString('en-US').padStart(10)}`,
      );
    }
  }
  const verdict = batched3 >= TARGET ? 'met' : 'NOT met';
  console.log(`target >= ${TARGET.toLocaleString('en-US')} entries/s for 3 voters with 64 proposers: ${verdict}`);
  return 0;
}

process.exitCode = main();
