// File utilities on the container's root: ls, mkdir, rm, touch, pwd, basename, dirname.

import type { Stats } from 'node:fs';
import { utimes } from 'node:fs/promises';
import type { Program } from '../../process.js';
import { errnoMessage } from '../../rootfs.js';
import { fail, isBusybox, parseFlags } from './common.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function modeString(st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = ['r', 'w', 'x'];
  let s = type;
  for (let shift = 6; shift >= 0; shift -= 3) for (let b = 0; b < 3; b++) s += st.mode & (1 << (shift + 2 - b)) ? bits[b] : '-';
  return s;
}

function owner(id: number): string {
  return id === 0 ? 'root' : String(id);
}

/** "Nov 26 09:46" (recent) as ls -l prints it, in UTC (the container's zone). */
function lsTime(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

export const ls: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const long = flags.has('l');
  const all = flags.has('a');
  const fs = proc.sys.fs;
  const targets = operands.length ? operands : ['.'];
  let status = 0;
  const blocks: string[] = [];
  const fileRows: string[] = [];
  const row = (name: string, st: Stats) =>
    long ? `${modeString(st)} ${String(st.nlink).padStart(4)} ${owner(st.uid).padEnd(8)} ${owner(st.gid).padEnd(8)} ${String(st.size).padStart(9)} ${lsTime(st.mtime)} ${name}` : name;
  for (const t of targets) {
    let st: Stats;
    try {
      st = await fs.stat(t, proc.cwd);
    } catch (e) {
      proc.err(isBusybox(proc) ? `ls: ${t}: ${errnoMessage(e)}\n` : `ls: cannot access '${t}': ${errnoMessage(e)}\n`);
      status = isBusybox(proc) ? 1 : 2;
      continue;
    }
    if (!st.isDirectory()) {
      fileRows.push(row(t, st));
      continue;
    }
    const names = (await fs.readdir(t, proc.cwd)).filter((n) => all || !n.startsWith('.')).sort();
    const entries: [string, Stats][] = [];
    if (all) entries.push(['.', st], ['..', await fs.stat(`${t}/..`, proc.cwd)]);
    for (const n of names) {
      try {
        entries.push([n, await fs.stat(`${t}/${n}`, proc.cwd)]);
      } catch {
        /* vanished meanwhile */
      }
    }
    const lines: string[] = [];
    if (targets.length > 1) lines.push(`${t}:`);
    if (long) lines.push(`total ${entries.reduce((sum, [, s]) => sum + Math.ceil(s.blocks / 2), 0)}`);
    lines.push(...entries.map(([n, s]) => row(n, s)));
    blocks.push(lines.join('\n'));
  }
  const out = [...(fileRows.length ? [fileRows.join('\n')] : []), ...blocks].join('\n\n');
  if (out) proc.out(`${out}\n`);
  return status;
};

export const mkdir: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1), ['m']);
  if (operands.length === 0) return fail(proc, 'missing operand');
  let status = 0;
  for (const d of operands) {
    try {
      await proc.sys.fs.mkdir(d, proc.cwd, flags.has('p'));
    } catch (e) {
      status = fail(proc, isBusybox(proc) ? `can't create directory '${d}': ${errnoMessage(e)}` : `cannot create directory '${d}': ${errnoMessage(e)}`);
    }
  }
  return status;
};

export const rm: Program = async (proc) => {
  const { flags, operands } = parseFlags(proc.argv.slice(1));
  const recursive = flags.has('r') || flags.has('R');
  let status = 0;
  for (const p of operands) {
    try {
      const st = await proc.sys.fs.stat(p, proc.cwd);
      if (st.isDirectory() && !recursive) {
        status = fail(proc, isBusybox(proc) ? `'${p}' is a directory` : `cannot remove '${p}': Is a directory`);
        continue;
      }
      await proc.sys.fs.rm(p, proc.cwd, recursive);
    } catch (e) {
      if (!flags.has('f')) status = fail(proc, isBusybox(proc) ? `can't remove '${p}': ${errnoMessage(e)}` : `cannot remove '${p}': ${errnoMessage(e)}`);
    }
  }
  return status;
};

export const touch: Program = async (proc) => {
  const { operands } = parseFlags(proc.argv.slice(1));
  let status = 0;
  for (const p of operands) {
    try {
      if (await proc.sys.fs.exists(p, proc.cwd)) {
        const now = new Date(proc.sys.now());
        await utimes(proc.sys.fs.hostPath(p, proc.cwd), now, now);
      } else await proc.sys.fs.writeFile(p, '', proc.cwd);
    } catch (e) {
      status = fail(proc, `${p}: ${errnoMessage(e)}`);
    }
  }
  return status;
};

export const pwd: Program = async (proc) => {
  proc.out(`${proc.cwd}\n`);
  return 0;
};

export const basename: Program = async (proc) => {
  const [path, suffix] = proc.argv.slice(1);
  if (path === undefined) return fail(proc, 'missing operand');
  let b = path.replace(/\/+$/, '');
  b = b.slice(b.lastIndexOf('/') + 1) || '/';
  if (suffix && b.endsWith(suffix) && b !== suffix) b = b.slice(0, -suffix.length);
  proc.out(`${b}\n`);
  return 0;
};

export const dirname: Program = async (proc) => {
  const path = proc.argv[1];
  if (path === undefined) return fail(proc, 'missing operand');
  const trimmed = path.replace(/\/+$/, '');
  const idx = trimmed.lastIndexOf('/');
  proc.out(`${idx === -1 ? '.' : idx === 0 ? '/' : trimmed.slice(0, idx)}\n`);
  return 0;
};
