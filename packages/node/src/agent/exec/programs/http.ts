// What the emulated web servers share: an HTTP server bound on the container's address, and
// static files looked up under a document root inside the container's filesystem.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { ContainerSystem } from '../system.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Listens on bindAddress:port; a handler that throws answers 500 rather than crash the node. */
export async function listenHttp(sys: ContainerSystem, port: number, handler: HttpHandler): Promise<Server> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await sys.listen(server, port);
  return server;
}

export interface StaticFile {
  kind: 'file';
  body: Buffer;
  mtimeMs: number;
  size: number;
  path: string;
}

export type StaticLookup = StaticFile | { kind: 'missing' } | { kind: 'directory-without-index' } | { kind: 'redirect'; location: string };

/** The URL path decoded and normalised; never above the document root. */
export function requestPath(url: string | undefined): string {
  const raw = (url ?? '/').split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  return posix.normalize(`/${decoded}`);
}

export async function lookupStatic(sys: ContainerSystem, docRoot: string, url: string | undefined, index = 'index.html'): Promise<StaticLookup> {
  const rel = requestPath(url);
  const path = posix.join(docRoot, rel);
  try {
    let st = await sys.fs.stat(path);
    let file = path;
    if (st.isDirectory()) {
      if (!rel.endsWith('/') && rel !== '/') return { kind: 'redirect', location: `${rel}/` };
      file = posix.join(path, index);
      try {
        st = await sys.fs.stat(file);
      } catch {
        return { kind: 'directory-without-index' };
      }
      if (!st.isFile()) return { kind: 'directory-without-index' };
    }
    const body = await sys.fs.readFile(file);
    return { kind: 'file', body, mtimeMs: st.mtimeMs, size: st.size, path: file };
  } catch {
    return { kind: 'missing' };
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export function contentType(path: string, fallback = 'application/octet-stream'): string {
  return TYPES[posix.extname(path).toLowerCase()] ?? fallback;
}

/** The client's address as a server logs it (IPv4-mapped IPv6 unwrapped). */
export function remoteAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
}

/** The tcp target ports the task publishes, added to a server's own port. */
export function serverPorts(sys: ContainerSystem, own: number): number[] {
  const ports = new Set([own]);
  for (const p of sys.identity.ports) if (p.protocol === 'tcp') ports.add(p.targetPort);
  return [...ports];
}
