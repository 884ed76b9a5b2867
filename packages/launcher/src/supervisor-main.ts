// The background launcher's process: `node --import tsx supervisor-main.ts CLUSTER_DIR OPTIONS_JSON`.
// Started detached by `swarmlab up` (supervisor-spawn.ts) with stdout and stderr going to the
// cluster's launcher.log; reports progress over the IPC channel, then lets its parent go and
// serves until `swarmlab down` or a signal stops the cluster.

import { clusterDir } from './paths.js';
import { Supervisor } from './supervisor.js';
import type { StartMessage, SupervisorOptions } from './supervisor-protocol.js';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function tell(message: StartMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function parseArgs(): SupervisorOptions {
  const [dir, json] = process.argv.slice(2);
  if (!dir || !json) throw new Error('usage: supervisor-main.ts CLUSTER_DIR OPTIONS_JSON');
  const options = JSON.parse(json) as SupervisorOptions;
  // The directory is on the command line so that `swarmlab down` can tell this process is ours.
  if (clusterDir(options.name, options.home) !== dir) throw new Error(`cluster directory ${dir} does not match cluster "${options.name}"`);
  return options;
}

// A stray exception must not take the cluster's supervision down with it.
process.on('uncaughtException', (e) => log(`uncaught exception (kept running): ${e.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => log(`unhandled rejection (kept running): ${e instanceof Error ? e.stack : String(e)}`));

let supervisor: Supervisor | undefined;
let stopSignal: string | undefined;

async function stop(signal: string): Promise<never> {
  log(`${signal}: stopping every node`);
  if (supervisor) {
    await supervisor.down();
    await supervisor.close();
  }
  log('stopped');
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopSignal ??= signal;
    // During `up` the Lab is not ours yet: stop once it is.
    if (supervisor) void stop(signal);
  });
}

try {
  const options = parseArgs();
  log(`starting cluster "${options.name}" (pid ${process.pid})`);
  supervisor = await Supervisor.start(options, (line) => {
    log(line);
    void tell({ type: 'progress', line });
  });
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  log(`failed: ${e instanceof Error ? (e.stack ?? message) : message}`);
  await tell({ type: 'error', message });
  process.exit(1);
}

if (stopSignal) await stop(stopSignal);
log(`serving on ${supervisor.socketPath}`);
await tell({ type: 'ready', pid: process.pid });
if (process.connected) process.disconnect();
await supervisor.stopped;
log('stopped by `swarmlab down`');
process.exit(0);
