// The node's state directory, laid out as /var/lib/docker/swarm (swarm-facts §2.4):
//   certificates/swarm-node.crt   leaf (+ intermediate during a root rotation), 0644
//   certificates/swarm-node.key   PKCS#8 key, 0600, with the raft DEK in a `raft-dek` PEM header
//                                 (wrapped with the unlock key under autolock, as SwarmKit)
//   certificates/swarm-root-ca.crt trust roots, 0644 — the root key is never written here
//   raft/                         WAL and snapshots, encrypted with the DEK (managers only)
//   worker/                       the agent's task database
//   state.json                    known managers [{node_id, addr}]
//   docker-state.json             the daemon's start configuration

import { unwrapKey, wrapKey } from '@swarmlab/pki/light';
import { mkdir, open, readFile, rename, rm, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DockerState {
  LocalAddr: string;
  RemoteAddr: string;
  ListenAddr: string;
  AdvertiseAddr: string;
  DataPathAddr: string;
  DefaultAddressPool: string[] | null;
  SubnetSize: number;
  DataPathPort: number;
  JoinInProgress: boolean;
}

export interface KnownManager {
  node_id: string;
  addr: string;
}

export interface NodeCredentials {
  certPem: string;
  keyPem: string;
  rootCAPem: string;
  /** The manager's raft data encryption key; absent on workers. */
  dek?: Buffer;
}

export class StateDir {
  constructor(readonly root: string) {}

  get certificates(): string {
    return join(this.root, 'certificates');
  }
  get raft(): string {
    return join(this.root, 'raft');
  }
  get worker(): string {
    return join(this.root, 'worker');
  }

  async ensure(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** Whether this directory holds a node that was part of a swarm (a restart resumes it). */
  hasSwarm(): boolean {
    return existsSync(join(this.certificates, 'swarm-node.crt')) && existsSync(join(this.root, 'docker-state.json'));
  }

  /** Leaving clears the contents but keeps the directory (MB utils.go clearPersistentState). */
  async clear(): Promise<void> {
    if (!existsSync(this.root)) return;
    for (const name of await readdir(this.root)) {
      if (name === 'engine.log' || name.endsWith('.log')) continue;
      await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  async writeCredentials(c: NodeCredentials, kek?: Buffer): Promise<void> {
    await mkdir(this.certificates, { recursive: true, mode: 0o700 });
    const headers: Record<string, string> = {};
    if (c.dek) headers['raft-dek'] = (kek ? wrapKey(kek, c.dek) : c.dek).toString('base64');
    if (kek) headers['kek-version'] = '1';
    let keyPem = c.keyPem;
    if (kek) {
      const { encryptPrivateKeyPem } = await import('./certificates.js');
      keyPem = encryptPrivateKeyPem(c.keyPem, kek, headers);
    } else if (Object.keys(headers).length > 0) {
      keyPem = withHeaders(c.keyPem, headers);
    }
    await writeAtomic(join(this.certificates, 'swarm-node.key'), keyPem, 0o600);
    await writeAtomic(join(this.certificates, 'swarm-node.crt'), c.certPem, 0o644);
    await writeAtomic(join(this.certificates, 'swarm-root-ca.crt'), c.rootCAPem, 0o644);
  }

  /** Whether the key file is encrypted (autolock): the node starts locked. */
  async isLocked(): Promise<boolean> {
    const keyPem = await readFile(join(this.certificates, 'swarm-node.key'), 'utf8');
    return keyPem.includes('ENCRYPTED PRIVATE KEY');
  }

  async readCredentials(kek?: Buffer): Promise<NodeCredentials> {
    const certPem = await readFile(join(this.certificates, 'swarm-node.crt'), 'utf8');
    const rootCAPem = await readFile(join(this.certificates, 'swarm-root-ca.crt'), 'utf8');
    const stored = await readFile(join(this.certificates, 'swarm-node.key'), 'utf8');
    const headers = pemHeaders(stored);
    let keyPem: string;
    let dek: Buffer | undefined;
    if (stored.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      if (!kek) throw new Error('node is locked, and needs a valid unlock key');
      const { decryptPrivateKeyPem } = await import('./certificates.js');
      keyPem = decryptPrivateKeyPem(stored, kek);
      if (headers['raft-dek']) dek = unwrapKey(kek, Buffer.from(headers['raft-dek'], 'base64'));
    } else {
      if (!stored.includes('PRIVATE KEY-----')) throw new Error('certificates/swarm-node.key holds no key');
      keyPem = stripHeaders(stored);
      if (headers['raft-dek']) dek = Buffer.from(headers['raft-dek'], 'base64');
    }
    return { certPem, keyPem, rootCAPem, dek };
  }

  /** This manager's Raft ID (not secret; absent until the node is a Raft member). */
  async readRaftId(): Promise<number | undefined> {
    try {
      const id = Number(JSON.parse(await readFile(join(this.raft, 'raft-id.json'), 'utf8')).raftId);
      return Number.isSafeInteger(id) && id > 0 ? id : undefined;
    } catch {
      return undefined;
    }
  }

  async writeRaftId(raftId: number): Promise<void> {
    await writeAtomic(join(this.raft, 'raft-id.json'), JSON.stringify({ raftId }), 0o600);
  }

  async writeDockerState(s: DockerState): Promise<void> {
    await writeAtomic(join(this.root, 'docker-state.json'), JSON.stringify(s), 0o600);
  }

  async readDockerState(): Promise<DockerState> {
    return JSON.parse(await readFile(join(this.root, 'docker-state.json'), 'utf8')) as DockerState;
  }

  async writeManagers(managers: KnownManager[]): Promise<void> {
    const sorted = [...managers].sort((a, b) => (a.node_id < b.node_id ? -1 : 1));
    await writeAtomic(join(this.root, 'state.json'), JSON.stringify(sorted), 0o600);
  }

  async readManagers(): Promise<KnownManager[]> {
    try {
      return JSON.parse(await readFile(join(this.root, 'state.json'), 'utf8')) as KnownManager[];
    } catch {
      return [];
    }
  }
}

/** Adds RFC 1421 headers to an unencrypted PEM key (SwarmKit keeps the DEK there). */
function withHeaders(pem: string, headers: Record<string, string>): string {
  const lines = pem.trim().split('\n');
  const head = Object.keys(headers)
    .sort()
    .map((k) => `${k}: ${headers[k]}`);
  return [lines[0], ...head, '', ...lines.slice(1)].join('\n') + '\n';
}

/** RFC 1421 headers of the first PEM block ("raft-dek: …"). */
function pemHeaders(pem: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of pem.split('\n').slice(1)) {
    const m = /^([A-Za-z0-9-]+): (.*)$/.exec(line.trim());
    if (!m) break;
    out[m[1]] = m[2];
  }
  return out;
}

function stripHeaders(pem: string): string {
  const lines = pem.trim().split('\n');
  const begin = lines[0];
  const rest = lines.slice(1);
  const blank = rest.indexOf('');
  const body = rest.some((l) => l.includes(': ')) && blank >= 0 ? rest.slice(blank + 1) : rest;
  return [begin, ...body].join('\n') + '\n';
}

/** Write to a temp file, fsync, rename, fsync the directory: the file is old or new, never torn. */
export async function writeAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
