// Node processes start from a V8 startup snapshot built under their own V8 flags.
//
// Why: Node.js ships the compiled code of its built-in modules in a cache that V8 accepts only when
// the process runs with the flags the cache was made under — the defaults. Every node runs with
// V8 flags (a small young generation; workers also --lite-mode), so without a snapshot each process
// compiles Node's own JavaScript again: measured 40-60 ms of CPU per process here, a fifth of what
// a worker costs to start. A snapshot built with `--build-snapshot` under the same flags carries a matching
// cache. It holds nothing of swarmlab: its main function runs the bundle given on the command line
// as Node would, so the bundle can change without a rebuild.
//
// V8 refuses a snapshot made under other flags (the process exits with code 14), so a blob is
// keyed by the Node binary and the exact flags (NODE_OPTIONS included) and built on first use
// (~0.4 s). If it cannot be built, nodes start without one.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NODE_DIST } from './bundle.js';

const SNAPSHOTS = join(NODE_DIST, 'snapshots');

/** The snapshot's only code: on start, run process.argv[1] as the main module (ESM included). */
const ENTRY = "require('v8').startupSnapshot.setDeserializeMainFunction(() => require('module').runMain());\n";

/** Blobs of other Node binaries or flags are removed after this long (a node reads its blob only at start). */
const BLOB_KEEP_MS = 24 * 3600_000;

/** Builds in flight, by key: concurrent callers share one. */
const building = new Map<string, Promise<string | undefined>>();
/** Keys by flag set: the Node binary is stat'ed once per flag set, not on every node start. */
const keys = new Map<string, string>();

function keyOf(v8Flags: string[]): string {
  const flags = JSON.stringify(v8Flags);
  let key = keys.get(flags);
  if (key === undefined) {
    const binary = statSync(process.execPath);
    key = createHash('sha256')
      .update(JSON.stringify([process.execPath, process.version, binary.size, binary.mtimeMs, process.env.NODE_OPTIONS ?? '', v8Flags, ENTRY]))
      .digest('hex')
      .slice(0, 16);
    keys.set(flags, key);
  }
  return key;
}

function run(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

function prune(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(SNAPSHOTS)) {
    const p = join(SNAPSHOTS, name);
    if (name !== keep && now - statSync(p).mtimeMs > BLOB_KEEP_MS) rmSync(p, { recursive: true, force: true });
  }
}

/** Builds the blob in a directory of its own and installs it by rename (several launchers may build at once). */
async function build(v8Flags: string[], blob: string): Promise<string | undefined> {
  const staging = join(SNAPSHOTS, `.build-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'entry.cjs'), ENTRY);
    const built = join(staging, 'snapshot.blob');
    if (!(await run([...v8Flags, '--snapshot-blob', built, '--build-snapshot', join(staging, 'entry.cjs')])) || !existsSync(built)) return undefined;
    renameSync(built, blob);
    prune(basename(blob));
    return blob;
  } catch {
    return undefined;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Path of a startup snapshot for processes run with exactly these V8 flags, or undefined if none
 * can be built. The file is the cache: one deleted after it was built (dist cleaned) is built again.
 */
export async function startupSnapshot(v8Flags: string[]): Promise<string | undefined> {
  let key: string;
  try {
    key = keyOf(v8Flags);
  } catch {
    return undefined;
  }
  const blob = join(SNAPSHOTS, `${key}.blob`);
  if (existsSync(blob)) return blob;
  let pending = building.get(key);
  if (!pending) {
    pending = build(v8Flags, blob).finally(() => building.delete(key));
    building.set(key, pending);
  }
  return pending;
}
