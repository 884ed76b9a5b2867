// Small durable-file helpers. A rename or unlink is only durable once the directory itself is
// fsynced, which Node does not do for us.

import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_SUFFIX } from './paths.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` (or what `write` puts into the open file) so that after a crash the file holds
 * either all of it or its old content.
 */
export async function writeFileDurably(file: string, data: Uint8Array | ((fh: FileHandle) => Promise<void>)): Promise<void> {
  const temp = file + TEMP_SUFFIX;
  const fh = await open(temp, 'w', FILE_MODE);
  try {
    await (typeof data === 'function' ? data(fh) : fh.writeFile(data));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
  await fsyncDir(path.dirname(file));
}

/** Deletes files that may already be gone (a concurrent purge, or a crash during one). */
export async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes files a crash left half-written; returns the remaining names. */
export async function listDirDroppingTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const temps = names.filter((n) => n.endsWith(TEMP_SUFFIX));
  for (const t of temps) await unlinkIfPresent(path.join(dir, t));
  if (temps.length > 0) await fsyncDir(dir);
  return names.filter((n) => !n.endsWith(TEMP_SUFFIX));
}
