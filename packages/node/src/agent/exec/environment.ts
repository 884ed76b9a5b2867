// How Docker assembles a swarm task's container from the image and the task: the command line
// (ENTRYPOINT/CMD merged with the spec's Command/Args), Config.Env, the process environment, and
// the com.docker.swarm.* labels.

import type { ImageDefinition } from './images/catalog.js';
import { DEFAULT_PATH } from './images/catalog.js';

/**
 * Command replaces the image's ENTRYPOINT (and then the image's CMD is dropped); Args replaces
 * its CMD (moby daemon: merge of container and image config).
 */
export function commandLine(image: ImageDefinition, command: string[] | undefined, args: string[] | undefined): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args && args.length > 0 ? args : image.cmd)];
}

/** ReplaceOrAppendEnvValues: later entries replace earlier ones with the same name, in place. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  const index = new Map(out.map((e, i) => [envName(e), i]));
  for (const e of overrides) {
    const name = envName(e);
    const at = index.get(name);
    if (at !== undefined) out[at] = e;
    else {
      index.set(name, out.length);
      out.push(e);
    }
  }
  return out;
}

function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/** Config.Env as `docker inspect` shows it: the image's variables, then the spec's. */
export function configEnv(image: ImageDefinition, specEnv: string[]): string[] {
  return mergeEnv(image.env, specEnv);
}

/**
 * CreateDaemonEnvironment: PATH, HOSTNAME (TERM with a tty), then Config.Env replacing those;
 * HOME is added last when unset, from the user's home (/root for root), as the daemon does.
 */
export function processEnv(config: string[], hostname: string, tty: boolean, user = ''): string[] {
  const base = [DEFAULT_PATH, `HOSTNAME=${hostname}`];
  if (tty) base.push('TERM=xterm');
  const env = mergeEnv(base, config);
  if (!env.some((e) => envName(e) === 'HOME')) env.push(`HOME=${isRoot(user) ? '/root' : '/'}`);
  return env;
}

function isRoot(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

export function envMap(entries: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) {
    const eq = e.indexOf('=');
    // A bare NAME passes the variable through from the daemon's environment: there is none here.
    if (eq !== -1) m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

export interface SwarmTaskIds {
  nodeId: string;
  serviceId: string;
  serviceName: string;
  taskId: string;
  taskName: string;
}

/** The labels SwarmKit's container adapter puts on a task's container, over the spec's. */
export function swarmLabels(ids: SwarmTaskIds, specLabels: Record<string, string> = {}): Record<string, string> {
  return {
    ...specLabels,
    'com.docker.swarm.node.id': ids.nodeId,
    'com.docker.swarm.service.id': ids.serviceId,
    'com.docker.swarm.service.name': ids.serviceName,
    'com.docker.swarm.task': '',
    'com.docker.swarm.task.id': ids.taskId,
    'com.docker.swarm.task.name': ids.taskName,
  };
}
