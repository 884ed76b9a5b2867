// A container's filesystem: a host directory standing for "/". Container paths are normalised
// before they are joined, so no path (`../../etc`) leaves the root. Docker's per-container files
// (/etc/hostname, /etc/hosts, /etc/resolv.conf), secrets and configs are written here at create.

import { chmod, mkdir, readFile, readdir, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix, join, dirname } from 'node:path';
import type { FileMount } from './types.js';

/** Docker's secrets directory inside a Linux container. */
export const SECRETS_DIR = '/run/secrets';

/** The null device: reads as empty, swallows writes (the shell's redirections know it too). */
const DEV_NULL = '/dev/null';

/** A directory of this machine mounted at a container path (a volume, a tmpfs). */
export interface FsMount {
  target: string;
  dir: string;
  readOnly: boolean;
}

function readOnlyFs(path: string): Error {
  return Object.assign(new Error(`EROFS: read-only file system, '${path}'`), { code: 'EROFS' });
}

export class ContainerFs {
  /** Longest target first, so the innermost mount wins. */
  private mounts: FsMount[] = [];

  constructor(readonly rootDir: string) {}

  private readOnlyRoot = false;

  /** Mounts directories over container paths (after the root is laid out); `--read-only` makes the rest read-only. */
  mount(mounts: FsMount[], readOnlyRoot = false): void {
    this.mounts = [...mounts].sort((a, b) => b.target.length - a.target.length);
    this.readOnlyRoot = readOnlyRoot;
  }

  private mountOf(containerPath: string): FsMount | undefined {
    return this.mounts.find((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`));
  }

  private writable(p: string, cwd?: string): void {
    const path = this.containerPath(p, cwd);
    const m = this.mountOf(path);
    if (m ? m.readOnly : this.readOnlyRoot) throw readOnlyFs(path);
  }

  /** The container path `p` (relative to `cwd`) as an absolute, normalised container path. */
  containerPath(p: string, cwd = '/'): string {
    const abs = p.startsWith('/') ? p : posix.join(cwd, p);
    return posix.normalize(`/${abs}`).replace(/\/+$/, '') || '/';
  }

  /** Where the container path lives on the host: in a mounted volume, or under the root. */
  hostPath(p: string, cwd = '/'): string {
    const path = this.containerPath(p, cwd);
    const m = this.mountOf(path);
    return m ? join(m.dir, path.slice(m.target.length)) : join(this.rootDir, path);
  }

  readFile(p: string, cwd?: string): Promise<Buffer> {
    if (this.containerPath(p, cwd) === DEV_NULL) return Promise.resolve(Buffer.alloc(0));
    return readFile(this.hostPath(p, cwd));
  }

  async writeFile(p: string, data: string | Buffer, cwd?: string, append = false): Promise<void> {
    // Programs that open /dev/null themselves (wget -O /dev/null) write into nothing.
    if (this.containerPath(p, cwd) === DEV_NULL) return;
    this.writable(p, cwd);
    const host = this.hostPath(p, cwd);
    await (append ? appendFile(host, data) : writeFile(host, data));
  }

  stat(p: string, cwd?: string): Promise<Stats> {
    return stat(this.hostPath(p, cwd));
  }

  async exists(p: string, cwd?: string): Promise<boolean> {
    try {
      await this.stat(p, cwd);
      return true;
    } catch {
      return false;
    }
  }

  readdir(p: string, cwd?: string): Promise<string[]> {
    return readdir(this.hostPath(p, cwd));
  }

  async mkdir(p: string, cwd?: string, recursive = false): Promise<void> {
    this.writable(p, cwd);
    await mkdir(this.hostPath(p, cwd), { recursive });
  }

  async rm(p: string, cwd?: string, recursive = false): Promise<void> {
    this.writable(p, cwd);
    await rm(this.hostPath(p, cwd), { recursive, force: false });
  }

  /** Writes a file at a container path, creating its directories, with exact permission bits. */
  async install(containerPath: string, data: string | Buffer, mode: number): Promise<void> {
    const host = this.hostPath(containerPath);
    await mkdir(dirname(host), { recursive: true });
    // chmod after writing: the process umask would otherwise mask the requested bits.
    await writeFile(host, data, { mode: 0o600 });
    await chmod(host, mode & 0o7777);
  }
}

/** Docker's mount point of a secret: relative targets under /run/secrets, absolute ones as is. */
export function secretPath(target: string): string {
  return target.startsWith('/') ? target : posix.join(SECRETS_DIR, target);
}

/** Docker's mount point of a config: at the container root. */
export function configPath(target: string): string {
  return target.startsWith('/') ? target : `/${target}`;
}

export interface RootfsContent {
  hostname: string;
  /** The container's own address for /etc/hosts. */
  address: string;
  secrets: FileMount[];
  configs: FileMount[];
  /** Directories the image has (its working directory, its document roots…). */
  directories: string[];
  /** Files of the image's layers. */
  imageFiles: { path: string; content: string; mode: number }[];
}

/**
 * Lays out a new container's root: the image's directories and files, Docker's /etc files, then
 * the secrets and configs, which win over anything at the same path (a config mounted over the
 * image's index.html). Never logs or returns file contents.
 */
export async function populateRootfs(fs: ContainerFs, c: RootfsContent): Promise<void> {
  await mkdir(fs.rootDir, { recursive: true });
  await Promise.all(['/etc', ...c.directories].map((d) => mkdir(fs.hostPath(d), { recursive: true })));
  // Plain 0644 files: the usual umask gives them that mode without a chmod (fewer syscalls per
  // container when a worker starts hundreds).
  await Promise.all([
    ...c.imageFiles.map((f) => fs.install(f.path, f.content, f.mode)),
    writeFile(fs.hostPath('/etc/hostname'), `${c.hostname}\n`, { mode: 0o644 }),
    writeFile(fs.hostPath('/etc/hosts'), etcHosts(c.hostname, c.address), { mode: 0o644 }),
    // The swarm's embedded DNS server, as a task on an overlay network sees it.
    writeFile(fs.hostPath('/etc/resolv.conf'), 'nameserver 127.0.0.11\noptions ndots:0\n', { mode: 0o644 }),
  ]);
  await Promise.all([...c.secrets.map((s) => fs.install(secretPath(s.target), s.data, s.mode)), ...c.configs.map((s) => fs.install(configPath(s.target), s.data, s.mode))]);
}

function etcHosts(hostname: string, address: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    `${address}\t${hostname}`,
    '',
  ].join('\n');
}

/** "No such file or directory" and friends, from a Node fs error. */
export function errnoMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied';
    case 'EEXIST':
      return 'File exists';
    case 'ENOTEMPTY':
      return 'Directory not empty';
    case 'EROFS':
      return 'Read-only file system';
    default:
      return code ?? 'I/O error';
  }
}
