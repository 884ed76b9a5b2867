#!/usr/bin/env -S node --import tsx
// swarmd: one emulated Docker engine in swarm mode. Usage:
//   tsx packages/node/src/main.ts --addr 127.0.1.2 --state-dir DIR --hostname manager1
//        [--profile fast|docker] [--time-scale K] [--api-port 2375] [--swarm-port 2377]
//        [--log-file PATH] [--control URL]
// It starts outside any swarm, like a fresh dockerd, unless DIR holds one (then it resumes).
// Launched nodes run it bundled (packages/node/dist/swarmd.cjs, see boot/boot.ts).

import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { EmulatedClock } from './clock.js';
import { ControlChannel } from './control.js';
import { Daemon } from './daemon/daemon.js';
import { startEngineServer } from './engine/server.js';
import { codeCacheHook } from './boot/code-cache.js';
import { createLogger } from './log.js';
import { profileByName } from './profile.js';

/** The launcher, read as the program starts: one that dies while the node starts is noticed too (see stopWithLauncher). */
const launcherPid = process.ppid;

function usage(msg: string): never {
  process.stderr.write(`swarmd: ${msg}\nusage: swarmd --addr 127.x.y.z --state-dir DIR --hostname NAME [--profile fast|docker] [--time-scale K]\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    addr: { type: 'string' },
    'state-dir': { type: 'string' },
    hostname: { type: 'string' },
    profile: { type: 'string', default: 'fast' },
    'time-scale': { type: 'string', default: '1' },
    'api-port': { type: 'string', default: '2375' },
    'swarm-port': { type: 'string', default: '2377' },
    'log-file': { type: 'string' },
    control: { type: 'string' },
  },
  strict: true,
});

const addr = values.addr ?? usage('--addr is required');
const stateDir = values['state-dir'] ?? usage('--state-dir is required');
const hostname = values.hostname ?? usage('--hostname is required');
let profile;
try {
  profile = profileByName(values.profile!);
} catch (e) {
  usage((e as Error).message);
}
const timeScale = Number(values['time-scale']);
if (!(timeScale > 0)) usage('--time-scale must be a positive number');

const log = createLogger(values['log-file'], { node: hostname, addr });
const clock = new EmulatedClock(timeScale);
const daemon = new Daemon({ addr, stateDir, hostname, clock, profile, log, swarmPort: Number(values['swarm-port']) });

process.on('uncaughtException', (e) => log('error', 'uncaught exception (kept running)', { err: e.stack ?? String(e) }));
process.on('unhandledRejection', (e) => log('error', 'unhandled rejection (kept running)', { err: e instanceof Error ? e.stack : String(e) }));

async function main(): Promise<void> {
  let server: Server;
  try {
    server = await startEngineServer(daemon, addr, Number(values['api-port']));
  } catch (e) {
    process.stderr.write(`swarmd: cannot serve the Engine API on ${addr}:${values['api-port']}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const control = values.control ? new ControlChannel({ url: values.control, name: hostname, daemon, clock, log }) : undefined;
  control?.start();
  await daemon.start();
  const codeCache = codeCacheHook();
  log('info', 'swarmd ready', { api: `${addr}:${values['api-port']}`, state: daemon.state, codeCache: codeCache?.outcome ?? 'unbundled' });
  process.stdout.write(`swarmd ready ${addr}\n`);
  if (codeCache) saveCodeCacheWhenWarm(codeCache.save);

  let stopping = false;
  async function stop(cause: { signal: string } | { reason: string }) {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', cause);
    control?.stop();
    server.close();
    await daemon.shutdown().catch(() => undefined);
    process.exit(0);
  }
  process.on('SIGTERM', () => void stop({ signal: 'SIGTERM' }));
  process.on('SIGINT', () => void stop({ signal: 'SIGINT' }));
  if (control) stopWithLauncher(() => void stop({ reason: 'launcher gone' }));
}

/** How often a launched node checks that its launcher is still there. */
const LAUNCHER_CHECK_MS = 1000;

/**
 * A node started by a launcher (--control) stops when that launcher is gone. Otherwise a script
 * that crashed or was killed would leave its whole cluster running, using CPU, with nobody left to
 * fault, restart or stop it. The launcher spawns its nodes itself, so it is their parent: when it
 * dies a node is re-parented and its parent pid changes. The state directory stays, and
 * `swarmlab up` brings the cluster back.
 */
function stopWithLauncher(stop: () => void): void {
  const timer = setInterval(() => {
    if (process.ppid === launcherPid) return;
    clearInterval(timer);
    log('warn', 'launcher gone', { launcherPid });
    stop();
  }, LAUNCHER_CHECK_MS);
  timer.unref();
}

/** Seconds in a swarm after which a node has compiled what nodes of its kind run (joining, sessions, Raft). */
const WARM_AFTER_S = 2;

/** Saves the code cache for the nodes that start next, once this one has been in a swarm a while. */
function saveCodeCacheWhenWarm(save: () => number): void {
  let inSwarm = 0;
  const timer = setInterval(() => {
    inSwarm = daemon.state === 'active' ? inSwarm + 1 : 0;
    if (inSwarm < WARM_AFTER_S) return;
    clearInterval(timer);
    const written = save();
    if (written > 0) log('info', 'code cache saved', { bundles: written });
  }, 1000);
  timer.unref();
}

main().catch((e) => {
  process.stderr.write(`swarmd: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
