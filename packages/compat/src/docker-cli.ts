// Runs the real docker CLI against one daemon and keeps what a person would see: exit code,
// stdout and stderr. A failing command is a result, not an exception; only a missing CLI throws.

import { execFile } from 'node:child_process';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Exit code reported when the CLI had to be killed after the timeout. */
export const TIMED_OUT = -1;

export function runDocker(dockerHost: string, args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  // Only DOCKER_HOST decides the daemon: no context, no pinned API version from the caller's shell.
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CLI_HINTS: 'false' };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_API_VERSION;
  delete env.DOCKER_TLS_VERIFY;
  return new Promise((resolve, reject) => {
    execFile('docker', args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ exitCode: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      if (e.code === 'ENOENT') return reject(new Error('the docker CLI is not on PATH'));
      if (e.killed) return resolve({ exitCode: TIMED_OUT, stdout, stderr: `${stderr}\n(killed after ${timeoutMs} ms)` });
      resolve({ exitCode: typeof e.code === 'number' ? e.code : 1, stdout, stderr });
    });
  });
}
