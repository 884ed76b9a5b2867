// Starts a cluster's background launcher: a detached process (its own process group, stdio to
// <clusterDir>/launcher.log) that keeps running after the caller exits. Resolves with its pid once
// every node is Ready with a leader, passing progress lines on while it waits.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterDir } from './paths.js';
import { LAUNCHER_LOG, type StartMessage, type SupervisorOptions } from './supervisor-protocol.js';

export const SUPERVISOR_MAIN = fileURLToPath(new URL('./supervisor-main.ts', import.meta.url));

export interface StartSupervisorOptions {
  options: SupervisorOptions;
  /** The TypeScript loader for `node --import` (e.g. `import.meta.resolve('tsx')`). */
  tsxLoader: string;
  onProgress?: (line: string) => void;
  /** Aborting asks the launcher to stop (SIGTERM): it stops the nodes it started, then exits. */
  signal?: AbortSignal;
}

export function startSupervisor({ options, tsxLoader, onProgress, signal }: StartSupervisorOptions): Promise<number> {
  const dir = clusterDir(options.name, options.home);
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, LAUNCHER_LOG);
  const out = openSync(logPath, 'a');
  const child = spawn(process.execPath, ['--import', tsxLoader, SUPERVISOR_MAIN, dir, JSON.stringify(options)], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  const onAbort = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<number>((resolve, reject) => {
    const done = (settle: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      child.removeAllListeners('message');
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      if (child.connected) child.disconnect();
      child.unref();
      settle();
    };
    child.on('message', (m: StartMessage) => {
      if (m.type === 'progress') onProgress?.(m.line);
      else if (m.type === 'ready') done(() => resolve(m.pid));
      else if (m.type === 'error') done(() => reject(new Error(m.message)));
    });
    child.once('exit', (code, signal) =>
      done(() => reject(new Error(`the launcher exited while starting (${signal ?? `code ${code}`}); see ${logPath}`))),
    );
    child.once('error', (e) => done(() => reject(e)));
  });
}
