// One emulated node as an OS process: spawned in its own process group (so it and anything it
// starts can be signalled together), tracked by pid, and stopped by pid — never by name.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { openSync, closeSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { identityFromCertificate } from '@swarmlab/transport/identity';
import { nodeBundle } from './bundle.js';
import { startupSnapshot } from './startup-snapshot.js';

export type Role = 'manager' | 'worker';
export type ProcessState = 'running' | 'paused' | 'stopped' | 'exited';

export interface NodeSpec {
  name: string;
  role: Role;
  addr: string;
  stateDir: string;
  logFile: string;
  profile: string;
  timeScale: number;
  controlUrl: string;
  /** Extra environment for the node process (e.g. a SWARMLAB_FAULT_* switch in a checker test). */
  env?: Record<string, string>;
}

/**
 * A node's environment: the launcher's without NODE_EXTRA_CA_CERTS, plus the node's extras. A node
 * trusts only its swarm's root CA, while Node.js parses that bundle at every start (~50 ms of CPU
 * and 1.5 MB per process, paid a hundred times when a hundred nodes start).
 *
 * A worker also keeps glibc's mmap threshold at its initial 128 KB: once a large block is freed
 * (reading the program and its code cache at start frees several), glibc raises the threshold and
 * serves later large blocks from the heap, which it rarely gives back. Fixed, a worker's RSS
 * after joining is ~2 MB lower (49.7 -> 47.7 MB). Managers keep the default: they answer large API
 * responses, each of which would then cost an mmap and its page faults.
 */
function nodeEnvironment(role: Role, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return { ...env, ...(role === 'worker' ? { MALLOC_MMAP_THRESHOLD_: '131072' } : {}), ...extra };
}

/**
 * A worker holds little live data and is mostly idle (heartbeats and gossip): a 1 MB young
 * generation keeps its RSS down, it runs without V8's optimizing compiler, and it gives the memory
 * of its start and join back after 1 s of idling instead of V8's 8 s. A manager's young generation
 * may grow to 8 MB: with 1 MB, scavenges took a fifth of the leader's time under 64 writing clients,
 * and 8 MB gave ~40 % more writes/s (4 and 16 MB were no better).
 */
export function nodeV8Flags(role: Role): string[] {
  return role === 'worker' ? ['--max-semi-space-size=1', '--lite-mode', '--gc-memory-reducer-start-delay-ms=1000'] : ['--max-semi-space-size=8'];
}

/**
 * The role a node's certificate gives it (its OU, read as peers read it), else the one it was
 * created with: a promoted worker restarts with a manager's flags, a demoted manager
 * with a worker's.
 */
export function currentRole(spec: Pick<NodeSpec, 'role' | 'stateDir'>): Role {
  try {
    const identity = identityFromCertificate(new X509Certificate(readFileSync(join(spec.stateDir, 'certificates', 'swarm-node.crt'))));
    if (typeof identity !== 'string') return identity.role;
  } catch {
    /* not in a swarm yet */
  }
  return spec.role;
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  state: ProcessState = 'stopped';
  pid: number | undefined;
  exitCode: number | null = null;

  constructor(readonly spec: NodeSpec) {}

  /** Starts the process and resolves once its Engine API answers ("swarmd ready"). */
  async start(): Promise<void> {
    if (this.state === 'running' || this.state === 'paused') return;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const out = openSync(`${this.spec.logFile}.out`, 'a');
    const s = this.spec;
    // The launcher never imports node internals: it runs the node program as a separate process.
    const main = await nodeBundle();
    const role = currentRole(s);
    const v8Flags = nodeV8Flags(role);
    // Extra Node.js flags for every node, e.g. SWARMLAB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    // They may hold V8 flags the snapshot was not built with: such nodes start without one.
    const extra = (process.env.SWARMLAB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const snapshot = extra.length === 0 ? await startupSnapshot(v8Flags) : undefined;
    const child = spawn(
      process.execPath,
      [
        ...v8Flags,
        ...(snapshot ? ['--snapshot-blob', snapshot] : []),
        ...extra,
        main,
        '--addr', s.addr,
        '--state-dir', s.stateDir,
        '--hostname', s.name,
        '--profile', s.profile,
        '--time-scale', String(s.timeScale),
        '--log-file', s.logFile,
        '--control', s.controlUrl,
      ],
      { detached: true, stdio: ['ignore', 'pipe', out], env: nodeEnvironment(role, s.env) },
    );
    closeSync(out);
    this.child = child;
    this.pid = child.pid;
    this.state = 'running';
    this.exitCode = null;
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.state = 'exited';
      this.exitCode = code ?? (signal ? 128 : null);
      this.pid = undefined;
    });
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('swarmd ready')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${s.name} exited during start (code ${code}); see ${s.logFile}.out`)));
    });
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      // The whole process group: the node and anything it spawned.
      process.kill(-this.pid, sig);
    } catch {
      try {
        process.kill(this.pid, sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** SIGKILL: a crash. */
  async kill(): Promise<void> {
    if (!this.child || this.pid === undefined) return;
    const exited = once(this.child, 'exit');
    if (this.state === 'paused') this.signal('SIGCONT');
    this.signal('SIGKILL');
    await exited;
    this.state = 'stopped';
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || this.pid === undefined) {
      this.state = 'stopped';
      return;
    }
    const child = this.child;
    const exited = once(child, 'exit');
    if (this.state === 'paused') this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.state = 'stopped';
  }

  pause(): void {
    if (this.state !== 'running') throw new Error(`${this.spec.name} is ${this.state}, not running`);
    this.signal('SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') throw new Error(`${this.spec.name} is ${this.state}, not paused`);
    this.signal('SIGCONT');
    this.state = 'running';
  }
}
