// The real one-node Docker swarm, through the shared scripts in ../shared/tools/real-swarm:
// start.sh starts dockerd 20.10 on a unix socket under WORK and inits a swarm on loopback;
// stop.sh stops exactly that dockerd (by the pid it wrote) and its containerd.

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_HINT = 'apt-get install -y docker.io busybox-static';

/** ../shared/tools/real-swarm beside the repository, unless SWARMLAB_REAL_SWARM_TOOLS says where. */
/** The start/stop scripts: a copy of the workplace's shared/tools/real-swarm kept in this package
 * (so a clean clone in CI has them), unless SWARMLAB_REAL_SWARM_TOOLS points elsewhere. */
export function realSwarmToolsDir(): string {
  return process.env.SWARMLAB_REAL_SWARM_TOOLS ?? fileURLToPath(new URL('../real-swarm', import.meta.url));
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the real swarm cannot run here, or undefined when it can. */
export function realSwarmUnavailable(): string | undefined {
  if (!onPath('dockerd') || !existsSync('/bin/busybox')) {
    return `real dockerd not installed: ${INSTALL_HINT} to run the side-by-side test`;
  }
  if (process.getuid?.() !== 0) return 'real dockerd needs root: run the side-by-side test as root';
  if (!onPath('docker')) return 'the docker CLI is not on PATH: the side-by-side test drives both swarms with it';
  const tools = realSwarmToolsDir();
  if (!existsSync(join(tools, 'start.sh'))) return `real-swarm scripts not found in ${tools} (set SWARMLAB_REAL_SWARM_TOOLS)`;
  return undefined;
}

export interface RealSwarm {
  work: string;
  socketPath: string;
}

function runScript(script: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('bash', [join(realSwarmToolsDir(), script)], { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${error.message}\n${stdout}${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

/** Starts dockerd with its data under `work` and a fresh one-node swarm advertised on 127.0.0.1. */
export async function startRealSwarm(work: string): Promise<RealSwarm> {
  await runScript('start.sh', { WORK: work, ADDR: '127.0.0.1' }, 180_000);
  return { work, socketPath: join(work, 'docker.sock') };
}

/** Stops the dockerd started under `work` (by its pid file) and deletes `work`. */
export async function stopRealSwarm(work: string): Promise<void> {
  await runScript('stop.sh', { WORK: work, PURGE: '1' }, 120_000);
}
