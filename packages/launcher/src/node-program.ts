// What a node process starts from, made ready before the first node needs it: the bundle, a
// startup snapshot per role, and the code cache (packages/node/src/boot/code-cache.ts).
//
// Nodes write the code cache themselves, 2 s after they entered a swarm, so that it holds what a
// node of their kind compiles (joining, sessions, Raft, the CA). Without priming, the first `up`
// after a rebuild would compile everything, and a benchmark would time that instead of what every
// later `up` costs. Priming runs a throwaway swarm of one manager and one worker until both have
// saved theirs (~3 s, once per build, Node version and flag set).

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_DIST, nodeBundle } from './bundle.js';
import { Lab } from './lab.js';
import { nodeV8Flags } from './node-process.js';
import { startupSnapshot } from './startup-snapshot.js';

/** Builds the bundle and the snapshots, then primes the code cache. */
export async function prepareNodeProgram(): Promise<void> {
  await Promise.all([nodeBundle(), startupSnapshot(nodeV8Flags('manager')), startupSnapshot(nodeV8Flags('worker'))]);
  // Only an optimization: nodes started without it compile, and save the cache themselves.
  await primeCodeCache().catch((e) => process.stderr.write(`swarmlab: code cache not primed: ${e instanceof Error ? e.message : String(e)}\n`));
}

/** The code cache directory is emptied on every rebuild, and this marker with it. */
const marker = () => join(NODE_DIST, 'code-cache', 'primed.json');

/** What the caches depend on besides the bundle (which they are keyed by anyway). */
const primedFor = () => JSON.stringify({ node: process.version, options: process.env.NODE_OPTIONS ?? '', nodeArgs: process.env.SWARMLAB_NODE_ARGS ?? '' });

const PRIME_TIMEOUT_MS = 20_000;

async function primeCodeCache(): Promise<void> {
  try {
    if (readFileSync(marker(), 'utf8') === primedFor()) return;
  } catch {
    /* not primed */
  }
  const home = mkdtempSync(join(tmpdir(), 'swarmlab-prime-'));
  try {
    const lab = await Lab.up({ name: 'prime', managers: 1, workers: 1, fresh: true, home });
    try {
      const saved = (name: string) => {
        const log = readFileSync(lab.node(name).spec.logFile, 'utf8');
        return log.includes('"msg":"code cache saved"') || log.includes('"codeCache":"accepted"');
      };
      // Not saved in time: nodes still write their caches as they run; nothing is lost.
      const primed = await lab.waitFor(() => saved('manager1') && saved('worker1'), PRIME_TIMEOUT_MS, 'code caches saved').then(() => true, () => false);
      if (!primed) return;
    } finally {
      await lab.down();
    }
    mkdirSync(join(NODE_DIST, 'code-cache'), { recursive: true });
    writeFileSync(marker(), primedFor());
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
