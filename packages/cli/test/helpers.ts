// Running the CLI in tests: in-process (fast: most commands) or as the real `swarmlab` process
// (for `up`, `docker`, `run` and followers). Every cluster a test file starts lives in its own
// temporary SWARMLAB_HOME and is killed by pid in afterAll, even when a test failed.

import { clusterSummaries, isAlive, killLeftovers, readRecord, waitFor as launcherWaitFor, type Condition } from '@swarmlab/launcher';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';

export const BIN = fileURLToPath(new URL('../bin/swarmlab.mjs', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export function tempHome(): string {
  // Short: the launcher's UNIX socket path must stay under 108 bytes.
  return mkdtempSync(join(tmpdir(), 'slc-'));
}

/** Runs one command line in this process. */
export async function cli(home: string, ...argv: string[]): Promise<Result> {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await runCli(argv, { home, stdout, stderr, isTTY: false, env: { ...process.env, SWARMLAB_HOME: home }, signal: new AbortController().signal, exitCode: 0 });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Parses the JSON a successful `--json` command printed. */
export async function cliJson<T>(home: string, ...argv: string[]): Promise<T> {
  const r = await cli(home, ...argv, '--json');
  if (r.code !== 0) throw new Error(`swarmlab ${argv.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Starts the real `swarmlab` process (not waiting for it). */
export function spawnCli(home: string, argv: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, SWARMLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the real `swarmlab` process to its end. */
export function cliProcess(home: string, argv: string[], timeoutMs = 60_000): Promise<Result> {
  const child = spawnCli(home, argv);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`swarmlab ${argv.join(' ')} took more than ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Every pid a cluster recorded: its launcher and its nodes. */
export function recordedPids(home: string, name: string): number[] {
  const dir = join(home, 'clusters', name);
  const record = readRecord(dir);
  return [record?.launcherPid, ...(record?.nodes ?? []).map((n) => n.pid)].filter((p): p is number => p !== undefined);
}

/** process.kill(pid, 0) fails: the process is gone (a zombie awaiting its reaper counts as gone). */
export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return !isAlive(pid);
}

/** Kills whatever any cluster under `home` still runs, then deletes `home`. */
export async function cleanupHome(home: string): Promise<void> {
  for (const c of clusterSummaries(home)) await killLeftovers(c.dir).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
}

/** The launcher's polling loop, with the subject first as these tests read best. */
export function waitFor<T>(what: string, fn: Condition<T>, timeoutMs = 20_000): Promise<T> {
  return launcherWaitFor(fn, timeoutMs, what);
}
