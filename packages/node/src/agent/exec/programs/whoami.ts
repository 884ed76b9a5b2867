// traefik/whoami (and the older containous/whoami): a Go web server that echoes who served the
// request — Name (WHOAMI_NAME), Hostname, the container's IPs, RemoteAddr — then the request as
// Go's Request.Write renders it. /api answers in JSON, /health and /bench as the real one.
// As PID 1 without a signal handler, Go's runtime ends it with exit status 2 on SIGTERM.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Proc, Program } from '../process.js';
import { listenHttp, serverPorts } from './http.js';
import { httpDate, slashTime } from './log-format.js';

/** Go's textproto.CanonicalMIMEHeaderKey: "accept-encoding" → "Accept-Encoding". */
function canonicalKey(k: string): string {
  return k.replace(/[A-Za-z0-9]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

/** Request.Write: request line, Host, User-Agent, then the other headers sorted by key. */
function requestDump(req: IncomingMessage, body: Buffer): string {
  const headers = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = canonicalKey(req.rawHeaders[i]!);
    headers.set(key, [...(headers.get(key) ?? []), req.rawHeaders[i + 1]!]);
  }
  const host = headers.get('Host')?.[0] ?? '';
  const ua = headers.get('User-Agent')?.[0] ?? 'Go-http-client/1.1';
  let out = `${req.method} ${req.url} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${ua}\r\n`;
  if (body.length > 0) out += `Content-Length: ${body.length}\r\n`;
  const skip = new Set(['Host', 'User-Agent', 'Content-Length', 'Transfer-Encoding', 'Trailer']);
  for (const key of [...headers.keys()].filter((k) => !skip.has(k)).sort()) {
    for (const v of headers.get(key)!) out += `${key}: ${v}\r\n`;
  }
  return `${out}\r\n${body.toString('utf8')}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

export const whoami: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let port = proc.env.get('WHOAMI_PORT_NUMBER') || '80';
  let name = proc.env.get('WHOAMI_NAME') ?? '';
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.replace(/^--?/, '').split('=', 2) as [string, string | undefined];
    const value = () => inline ?? args[++i] ?? '';
    if (flag === 'port') port = value();
    else if (flag === 'name') name = value();
    else if (flag === 'verbose') verbose = inline === undefined || inline === 'true';
    else if (flag === 'cert' || flag === 'key' || flag === 'cacert') value();
    else {
      proc.err(`flag provided but not defined: -${flag}\nUsage of /whoami:\n`);
      return 2;
    }
  }
  const log = (msg: string) => proc.err(`${slashTime(proc.sys.now())} ${msg}\n`);
  log(`Starting up on port ${port}`);
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    log(`listen tcp: lookup tcp/${port}: unknown port`);
    return 1;
  }
  const servers: Server[] = [];
  for (const p of serverPorts(proc.sys, portNumber)) {
    try {
      servers.push(await listenHttp(proc.sys, p, (req, res) => handle(proc, name, verbose, req, res)));
    } catch (e) {
      log(`listen tcp :${p}: bind: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : 'address already in use'}`);
      await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
      return 1;
    }
  }
  // Go's runtime, as PID 1 with no signal.Notify, exits with status 2 on SIGTERM/SIGINT.
  await new Promise<void>((resolve, reject) => {
    proc.onSignal((sig) => {
      if (sig === 'SIGTERM' || sig === 'SIGINT' || sig === 'SIGQUIT' || sig === 'SIGHUP') resolve();
    });
    proc.sys.untilKilled().catch(reject);
  });
  await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
  return 2;
};

async function handle(proc: Proc, name: string, verbose: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const path = (req.url ?? '/').split('?')[0]!;
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  res.sendDate = false;
  res.setHeader('Date', httpDate(proc.sys.now()));
  const hostname = proc.sys.identity.hostname;
  const ips = ['127.0.0.1', '::1', ...proc.sys.identity.addresses];
  const remote = `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`;
  if (path === '/bench') {
    res.setHeader('Content-Type', 'text/plain');
    res.end('1');
  } else if (path === '/health') {
    res.writeHead(200);
    res.end();
  } else if (path === '/api') {
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = canonicalKey(req.rawHeaders[i]!);
      if (k !== 'Host') (headers[k] ??= []).push(req.rawHeaders[i + 1]!);
    }
    res.setHeader('Content-Type', 'application/json');
    const data = { hostname, ip: ips, headers, url: req.url, host: req.headers.host, method: req.method, ...(name ? { name } : {}), remoteAddr: remote };
    res.end(`${JSON.stringify(data)}\n`);
  } else {
    let text = '';
    if (name) text += `Name: ${name}\n`;
    text += `Hostname: ${hostname}\n`;
    for (const ip of ips) text += `IP: ${ip}\n`;
    text += `RemoteAddr: ${remote}\n`;
    text += requestDump(req, body);
    if (query.get('env') === 'true') text += [...proc.env].map(([k, v]) => `${k}=${v}\n`).join('');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(text);
  }
  if (verbose) proc.err(`${slashTime(proc.sys.now())} ${remote} - - [${new Date(proc.sys.now()).toUTCString()}] "${req.method} ${path} HTTP/${req.httpVersion}" - -\n`);
}
