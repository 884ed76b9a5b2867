// swarmlab docker NODE -- ARGS…: the real docker CLI against one node, its exit status passed on.

import { spawn } from 'node:child_process';
import { printJson, type Context } from '../context.js';
import { UserError } from '../errors.js';
import { recordedNode, selectCluster } from '../select-cluster.js';

export async function docker(ctx: Context, ref: string, args: string[], flags: { cluster?: string; json?: boolean }): Promise<void> {
  const node = recordedNode(selectCluster(ctx, flags.cluster), ref);
  const env = { ...ctx.env, DOCKER_HOST: `tcp://${node.addr}:2375` };
  // With --json the output is captured and returned as one document; otherwise it passes through.
  const child = spawn('docker', args, { env, stdio: flags.json ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new UserError('the docker CLI is not installed (no `docker` on PATH)') : e),
    );
    child.once('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (flags.json) printJson(ctx, { node: node.name, exitCode: code, stdout, stderr });
  ctx.exitCode = code;
}
