// A manager runs at the normal CPU priority. The launcher starts the nodes it expects to be
// workers at a lower one (on one machine they share the managers' cores), so a worker promoted to
// manager takes the normal priority back. Raising a priority needs privilege (root or
// CAP_SYS_NICE): without it the node keeps running at the lower priority and says so.

import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const AUTOGROUP = '/proc/self/autogroup';

/** This process's nice value and its autogroup's (Linux weighs autogroups, not processes), 0 where there is none. */
export function cpuNice(): { process: number; autogroup: number } {
  let autogroup = 0;
  try {
    autogroup = Number(/nice (-?\d+)/.exec(readFileSync(AUTOGROUP, 'utf8'))?.[1] ?? 0);
  } catch {
    /* no autogroups on this kernel */
  }
  return { process: getPriority(), autogroup };
}

/** Back to nice 0 for the process and its autogroup; the error says what stopped it, if anything did. */
export function claimManagerPriority(): { ok: true } | { ok: false; nice: number; error: string } {
  const before = cpuNice();
  try {
    if (before.autogroup > 0) writeFileSync(AUTOGROUP, '0');
    if (before.process > 0) setPriority(0);
    return { ok: true };
  } catch (e) {
    return { ok: false, nice: Math.max(before.process, before.autogroup), error: e instanceof Error ? e.message : String(e) };
  }
}
