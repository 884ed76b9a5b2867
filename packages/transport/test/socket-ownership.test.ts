import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * DESIGN.md, "Faults": every byte between nodes passes through the emulated NIC in
 * packages/transport, so no other code that runs inside a node may open a socket. This test scans
 * the sources and fails on anything that could open one.
 */
const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Packages that run as their own processes, never inside a node (they talk to nodes through the Engine API and the control channel). */
const NOT_IN_A_NODE = new Set(['launcher', 'chaos', 'cli', 'compat', 'dashboard']);

/** Files inside node code that may open sockets, each with the reason it is not a node-to-node link. Keep this short. */
const ALLOWED: Record<string, string> = {
  'packages/node/src/engine/server.ts': 'the Engine API HTTP server (2375) that the docker CLI and the launcher call; not a link to another node',
  'packages/node/src/control.ts': 'the control channel: a WebSocket to the launcher on loopback; not a link to another node',
  'packages/api/src/http.ts': "the typed Engine API client's fetch, for the launcher and the CLI; node code may not use that client (checked below)",
  // Emulated containers' own servers and clients (nginx, whoami, redis, busybox httpd, wget, curl):
  // they bind the container's own loopback address, like a container's network namespace, and
  // are the workload, not links between nodes.
  'packages/node/src/agent/exec/programs/http.ts': 'emulated container programs (HTTP servers and wget) on the container address',
  'packages/node/src/agent/exec/programs/http-client.ts':
    "emulated container HTTP clients (wget, curl): http.request over the container's own connection (loopback, or an overlay address through the data path)",
  'packages/node/src/agent/local-connect.ts':
    "connections to containers' loopback addresses on this node (from containers' programs and the routing mesh); overlay addresses go through the data path",
  'packages/node/src/agent/exec/programs/redis/server.ts': 'emulated redis server on the container address',
  'packages/node/src/agent/ingress/routing-mesh.ts':
    "the routing mesh's listeners on published ports, on the node's own address: the user's traffic; what goes to another node's task takes the data path (transport/tunnel.ts)",
  'packages/node/src/agent/host-ports.ts': "docker-proxy for mode=host published ports: the node's own address to its container's; the user's traffic, not a link between nodes",
};

/** The Engine API client is allowed above only because nodes never construct it. */
const ENGINE_CLIENT = /\bnew\s+DockerClient\s*\(/;

const SOCKET_PATTERNS: [string, RegExp][] = [
  ['net.connect / net.createConnection', /\bnet\s*\.\s*(connect|createConnection)\s*\(/],
  ['net.createServer', /\bnet\s*\.\s*createServer\s*\(/],
  ['new net.Socket', /\bnew\s+(net\s*\.\s*)?Socket\s*\(/],
  ['tls.connect / tls.createServer / new TLSSocket', /\btls\s*\.\s*(connect|createServer)\s*\(|\bnew\s+(tls\s*\.\s*)?TLSSocket\s*\(/],
  ['dgram.createSocket', /\b(dgram\s*\.\s*)?createSocket\s*\(/],
  ['http(s).request / get / createServer', /\bhttps?\s*\.\s*(request|get|createServer)\s*\(/],
  ['http2.connect / createServer', /\bhttp2\s*\.\s*(connect|createServer|createSecureServer)\s*\(/],
  ['fetch', /(^|[^.\w])fetch\s*\(/],
  ['WebSocket', /\bnew\s+WebSocket(Server)?\s*\(/],
  ['named import from a socket module', /import\s*\{[^}]*\b(connect|createConnection|createServer|createSocket|Socket|request)\b[^}]*\}\s*from\s*['"](node:)?(net|tls|dgram|http|https|http2)['"]/],
  ['require of a socket module', /require\s*\(\s*['"](node:)?(net|dgram|http2)['"]\s*\)/],
];

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Names of the socket-opening constructs in a source file. */
export function socketUses(source: string): string[] {
  const code = stripComments(source);
  return SOCKET_PATTERNS.filter(([, pattern]) => pattern.test(code)).map(([name]) => name);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

function scannedPackages(): string[] {
  return readdirSync(join(REPO, 'packages')).filter((name) => name !== 'transport' && !NOT_IN_A_NODE.has(name));
}

describe('socket ownership', () => {
  it('the detector recognises the ways Node code opens sockets', () => {
    expect(socketUses("import net from 'node:net';\nconst s = net.connect({ port: 2377 });")).toContain('net.connect / net.createConnection');
    expect(socketUses("import { createSocket } from 'node:dgram';")).toContain('named import from a socket module');
    expect(socketUses('const u = dgram.createSocket("udp4");')).toContain('dgram.createSocket');
    expect(socketUses('tls.connect({ host })')).not.toEqual([]);
    expect(socketUses('http.request(`http://${peer}:2375/info`)')).not.toEqual([]);
    expect(socketUses('const r = await fetch(url);')).toContain('fetch');
    expect(socketUses('new WebSocket(url)')).toContain('WebSocket');
    expect(socketUses('// we never call net.connect here\nconst x = 1;')).toEqual([]);
    expect(socketUses('link.request("raft", "step", m); this.prefetch(x);')).toEqual([]);
  });

  it('finds the NIC itself (proof that the scan sees real socket code)', () => {
    const nic = readFileSync(join(REPO, 'packages/transport/src/nic.ts'), 'utf8');
    expect(socketUses(nic)).toEqual(expect.arrayContaining(['net.createServer', 'net.connect / net.createConnection', 'dgram.createSocket']));
  });

  it('no code that runs in a node opens a socket outside packages/transport', () => {
    const offenders: string[] = [];
    for (const pkg of scannedPackages()) {
      for (const file of sourceFiles(join(REPO, 'packages', pkg, 'src'))) {
        const path = relative(REPO, file).split('\\').join('/');
        if (path in ALLOWED) continue;
        const source = readFileSync(file, 'utf8');
        const uses = socketUses(source);
        if (pkg === 'node' && ENGINE_CLIENT.test(stripComments(source))) uses.push('the Engine API client (DockerClient)');
        if (uses.length > 0) offenders.push(`${path}: ${uses.join(', ')}`);
      }
    }
    expect(
      offenders,
      'Only the emulated NIC (packages/transport) may open sockets between nodes. Use the transport API; ' +
        'if a file opens a socket that is not a node-to-node link, add it to ALLOWED with the reason.',
    ).toEqual([]);
  });
});
