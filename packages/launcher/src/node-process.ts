// One emulated node as an OS process: spawned in its own process group (so it and anything it
// starts can be signalled together), tracked by pid, and stopped by pid — never by name.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { nodeBundle } from './bundle.js';

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
 */
function nodeEnvironment(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return { ...env, ...extra };
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
    const child = spawn(
      process.execPath,
      [
        // A node holds little live data: a small young generation keeps its RSS down, and a
        // worker (mostly idle, heartbeats and gossip) runs without V8's optimizing compiler and
        // gives the memory of its start and join back after 1 s of idling instead of V8's 8 s.
        '--max-semi-space-size=1',
        ...(s.role === 'worker' ? ['--lite-mode', '--gc-memory-reducer-start-delay-ms=1000'] : []),
        // Extra Node.js flags for every node, e.g. SWARMLAB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
        ...(process.env.SWARMLAB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
        main,
        '--addr', s.addr,
        '--state-dir', s.stateDir,
        '--hostname', s.name,
        '--profile', s.profile,
        '--time-scale', String(s.timeScale),
        '--log-file', s.logFile,
        '--control', s.controlUrl,
      ],
      { detached: true, stdio: ['ignore', 'pipe', out], env: nodeEnvironment(s.env) },
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
