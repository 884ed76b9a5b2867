// Real clusters for the node's integration tests, through the launcher (which spawns node
// processes and talks to them as a user would). Every pid is killed after the file, even when a
// test fails.

import { Lab, type LabOptions } from '@swarmlab/launcher';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const labs: Lab[] = [];
const homes: string[] = [];

export async function startLab(options: LabOptions): Promise<Lab> {
  const home = mkdtempSync(join(tmpdir(), 'swarmlab-test-'));
  homes.push(home);
  const lab = await Lab.up({ fresh: true, home, ...options });
  labs.push(lab);
  return lab;
}

/** Stops every Lab this file started; SIGKILLs any pid that is somehow still there. */
export async function stopAllLabs(): Promise<void> {
  for (const lab of labs.splice(0)) await lab.downForSure();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}

const exec = promisify(execFile);

/** Runs the real docker CLI against a node, or returns undefined when it is not installed. */
export async function docker(addr: string, args: string[]): Promise<{ stdout: string; stderr: string } | undefined> {
  try {
    return await exec('docker', args, { env: { ...process.env, DOCKER_HOST: `tcp://${addr}:2375` }, timeout: 30_000 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') return undefined;
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
}

/**
 * Adds a label the way a careful client does: read, update with the version read, and retry on
 * "update out of sequence". With `retryTransient`, also retry while the swarm elects a leader
 * (only for setup writes: a crash-safety check must not retry an indeterminate write).
 */
export async function addLabel(
  lab: Lab,
  via: string,
  nodeRef: string,
  key: string,
  value: string,
  { attempts = 20, retryTransient = true }: { attempts?: number; retryTransient?: boolean } = {},
): Promise<void> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const api = lab.client(via, 5000);
      const n = await api.nodeInspect(nodeRef);
      await api.nodeUpdate(n.ID, n.Version.Index, { ...n.Spec, Labels: { ...(n.Spec.Labels ?? {}), [key]: value } });
      return;
    } catch (e) {
      last = e;
      const transient = /does not have a leader|deadline exceeded|lost leader status|Unavailable/.test(String(e));
      if (!/out of sequence/.test(String(e)) && !(retryTransient && transient)) throw e;
      if (transient) await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}
