// The httpd (Apache) image: httpd-foreground → `httpd -DFOREGROUND`, serving htdocs on port 80
// (and the task's target ports), common-log lines on stdout, start-up and shutdown notices on
// stderr; its STOPSIGNAL SIGWINCH stops it gracefully with exit 0.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Proc, Program, Signal } from '../process.js';
import { contentType, listenHttp, lookupStatic, remoteAddress, serverPorts } from './http.js';
import { apacheTime, clfTime, httpDate } from './log-format.js';

export const HTTPD_VERSION = '2.4.62';
const DOC_ROOT = '/usr/local/apache2/htdocs';
const SERVER = `Apache/${HTTPD_VERSION} (Unix)`;

/** The image's "It works!" page, naming the container that served it. */
export function apacheIndexPage(hostname: string): string {
  return `<html><body><h1>It works!</h1><p>${hostname}</p></body></html>\n`;
}

export const httpdForeground: Program = async (proc) => httpd({ ...proc, argv: ['httpd', '-DFOREGROUND', ...proc.argv.slice(1)] });

export const httpd: Program = async (proc) => {
  const args = proc.argv.slice(1);
  if (args.includes('-v')) {
    proc.out(`Server version: ${SERVER}\nServer built:   Jul 17 2024 22:11:43\n`);
    return 0;
  }
  if (args.includes('-t')) {
    proc.err('Syntax OK\n');
    return 0;
  }
  const foreground = args.some((a, i) => a === '-DFOREGROUND' || (a === '-D' && args[i + 1] === 'FOREGROUND'));
  const pid = proc.init ? 1 : 8;
  const address = proc.sys.identity.addresses[0] ?? proc.sys.identity.bindAddress;
  const log = (module: string, msg: string) => proc.err(`[${apacheTime(proc.sys.now())}] [${module}] [pid ${pid}:tid ${pid}] ${msg}\n`);
  const fqdn = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${address}. Set the 'ServerName' directive globally to suppress this message\n`;
  proc.err(fqdn);

  const servers: Server[] = [];
  for (const port of serverPorts(proc.sys, 80)) {
    try {
      servers.push(await listenHttp(proc.sys, port, (req, res) => handle(proc, req, res)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' ? '(13)Permission denied' : '(98)Address already in use';
      proc.err(`${why}: AH00072: make_sock: could not bind to address 0.0.0.0:${port}\nno listening sockets available, shutting down\nAH00015: Unable to open logs\n`);
      await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
      return 1;
    }
  }
  proc.err(fqdn);
  log('mpm_event:notice', `AH00489: ${SERVER} configured -- resuming normal operations`);
  log('core:notice', `AH00094: Command line: 'httpd${foreground ? ' -D FOREGROUND' : ''}'`);
  if (!foreground) return 0;

  const sig = await new Promise<Signal>((resolve, reject) => {
    proc.onSignal(resolve);
    proc.sys.untilKilled().catch(reject);
  });
  if (sig === 'SIGWINCH') log('mpm_event:notice', 'AH00492: caught SIGWINCH, shutting down gracefully');
  else log('mpm_event:notice', `AH00491: caught ${sig === 'SIGINT' ? 'SIGTERM' : sig}, shutting down`);
  await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
  return 0;
};

const NOT_FOUND = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
`;

async function handle(proc: Proc, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const now = proc.sys.now();
  res.sendDate = false;
  res.setHeader('Date', httpDate(now));
  res.setHeader('Server', SERVER);
  const found = await lookupStatic(proc.sys, DOC_ROOT, req.url);
  let status: number;
  let body: Buffer | string;
  if (found.kind === 'file') {
    status = 200;
    body = found.body;
    res.setHeader('Last-Modified', httpDate(found.mtimeMs));
    res.setHeader('ETag', `"${found.size.toString(16)}-${Math.floor(found.mtimeMs * 1000).toString(16)}"`);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', contentType(found.path));
  } else if (found.kind === 'redirect') {
    status = 301;
    body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href="${found.location}">here</a>.</p>\n</body></html>\n`;
    res.setHeader('Location', `http://${req.headers.host ?? proc.sys.identity.bindAddress}${found.location}`);
    res.setHeader('Content-Type', 'text/html; charset=iso-8859-1');
  } else {
    status = 404;
    body = NOT_FOUND;
    res.setHeader('Content-Type', 'text/html; charset=iso-8859-1');
  }
  const length = Buffer.byteLength(body);
  res.setHeader('Content-Length', length);
  res.writeHead(status);
  res.end(req.method === 'HEAD' ? undefined : body);
  proc.out(`${remoteAddress(req)} - - [${clfTime(now)}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${req.method === 'HEAD' ? '-' : length}\n`);
}
