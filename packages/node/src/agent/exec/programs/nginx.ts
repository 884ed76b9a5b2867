// The nginx image: /docker-entrypoint.sh (its start-up chatter, then `exec "$@"`) and nginx
// itself — the default site from /usr/share/nginx/html on port 80 (and the task's target ports),
// access log lines on stdout, notices on stderr, SIGQUIT/SIGTERM shutting down with exit 0.

import { availableParallelism } from 'node:os';
import type { Server } from 'node:http';
import { SIGNAL_NUMBERS, type Proc, type Program, type Signal } from '../process.js';
import { execInPlace } from './entrypoint.js';
import { listenHttp, lookupStatic, contentType, remoteAddress, serverPorts } from './http.js';
import { clfTime, httpDate, slashTime } from './log-format.js';

export const NGINX_VERSION = '1.27.3';
const DOC_ROOT = '/usr/share/nginx/html';

/** The image's default page, naming the container that served it. */
export function nginxIndexPage(hostname: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p>Served by ${hostname}.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;
}

const ENTRYPOINT_LINES = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
];

export const nginxEntrypoint: Program = async (proc) => {
  const args = proc.argv.slice(1);
  if (args.length === 0) return 0;
  if ((args[0] === 'nginx' || args[0] === 'nginx-debug') && !proc.env.get('NGINX_ENTRYPOINT_QUIET_LOGS')) {
    proc.out(`${ENTRYPOINT_LINES.join('\n')}\n`);
  }
  return execInPlace(proc, args, '/docker-entrypoint.sh', 47);
};

const STATUS_TEXT: Record<number, string> = { 301: 'Moved Permanently', 403: 'Forbidden', 404: 'Not Found', 405: 'Not Allowed' };

function errorPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status]}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/${NGINX_VERSION}</center>\r\n</body>\r\n</html>\r\n`;
}

export const nginx: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let directives = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-v' || a === '-V') {
      proc.err(`nginx version: nginx/${NGINX_VERSION}\n`);
      if (a === '-V') proc.err('built by gcc 12.2.0 (Debian 12.2.0-14)\nbuilt with OpenSSL 3.0.11 19 Sep 2023\nTLS SNI support enabled\n');
      return 0;
    }
    if (a === '-t' || a === '-T') {
      proc.err('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
      return 0;
    }
    if (a === '-g') directives += ` ${args[++i] ?? ''}`;
    else if (a === '-c' || a === '-p' || a === '-e') i++;
    else if (a === '-s') {
      proc.err(`nginx: [error] invalid PID number "" in "/run/nginx.pid"\n`);
      return 1;
    } else if (a !== '-q') {
      proc.err(`nginx: invalid option: "${a.replace(/^-/, '')}"\n`);
      return 1;
    }
  }
  const foreground = /(^|;|\s)daemon\s+off\s*;/.test(directives);
  const pid = proc.init ? 1 : 7;
  const workers = Math.min(availableParallelism(), 4);
  const notice = (who: number, msg: string) => proc.err(`${slashTime(proc.sys.now())} [notice] ${who}#${who}: ${msg}\n`);

  const servers: Server[] = [];
  for (const port of serverPorts(proc.sys, 80)) {
    try {
      servers.push(await listenHttp(proc.sys, port, (req, res) => handle(proc, req, res)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' ? '13: Permission denied' : code === 'EADDRNOTAVAIL' ? '99: Cannot assign requested address' : '98: Address already in use';
      proc.err(`${slashTime(proc.sys.now())} [emerg] ${pid}#${pid}: bind() to 0.0.0.0:${port} failed (${why})\n`);
      proc.err(`nginx: [emerg] bind() to 0.0.0.0:${port} failed (${why})\n`);
      proc.err(`${slashTime(proc.sys.now())} [emerg] ${pid}#${pid}: still could not bind()\nnginx: [emerg] still could not bind()\n`);
      await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
      return 1;
    }
  }
  notice(pid, 'using the "epoll" event method');
  notice(pid, `nginx/${NGINX_VERSION}`);
  notice(pid, 'built by gcc 12.2.0 (Debian 12.2.0-14) ');
  notice(pid, 'OS: Linux');
  notice(pid, 'getrlimit(RLIMIT_NOFILE): 1048576:1048576');
  notice(pid, 'start worker processes');
  for (let w = 0; w < workers; w++) notice(pid, `start worker process ${29 + w}`);
  // Without `daemon off;` the master forks into the background and the started process exits.
  if (!foreground) return 0;

  const sig = await new Promise<Signal>((resolve, reject) => {
    proc.onSignal(resolve);
    proc.sys.untilKilled().catch(reject);
  });
  const graceful = sig === 'SIGQUIT';
  notice(pid, `signal ${SIGNAL_NUMBERS[sig]} (${sig}) received from 0, ${graceful ? 'shutting down' : 'exiting'}`);
  await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
  for (let w = 0; w < workers; w++) {
    if (graceful) notice(29 + w, 'gracefully shutting down');
    notice(29 + w, 'exiting');
    notice(29 + w, 'exit');
  }
  for (let w = 0; w < workers; w++) {
    notice(pid, `signal 17 (SIGCHLD) received from ${29 + w}`);
    notice(pid, `worker process ${29 + w} exited with code 0`);
  }
  notice(pid, 'exit');
  return 0;
};

async function handle(proc: Proc, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const now = proc.sys.now();
  res.sendDate = false;
  res.setHeader('Server', `nginx/${NGINX_VERSION}`);
  res.setHeader('Date', httpDate(now));
  let status: number;
  let body: Buffer | string;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    status = 405;
    body = errorPage(405);
    res.setHeader('Content-Type', 'text/html');
  } else {
    const found = await lookupStatic(proc.sys, DOC_ROOT, req.url);
    if (found.kind === 'file') {
      status = 200;
      body = found.body;
      res.setHeader('Content-Type', contentType(found.path));
      res.setHeader('Last-Modified', httpDate(found.mtimeMs));
      res.setHeader('ETag', `"${Math.floor(found.mtimeMs / 1000).toString(16)}-${found.size.toString(16)}"`);
      res.setHeader('Accept-Ranges', 'bytes');
    } else {
      status = found.kind === 'redirect' ? 301 : found.kind === 'directory-without-index' ? 403 : 404;
      body = errorPage(status);
      res.setHeader('Content-Type', 'text/html');
      if (found.kind === 'redirect') res.setHeader('Location', `http://${req.headers.host ?? proc.sys.identity.bindAddress}${found.location}`);
    }
  }
  const length = Buffer.byteLength(body);
  res.setHeader('Content-Length', length);
  res.writeHead(status);
  res.end(req.method === 'HEAD' ? undefined : body);
  const sent = req.method === 'HEAD' ? 0 : length;
  proc.out(`${remoteAddress(req)} - - [${clfTime(now)}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${sent} "${req.headers.referer ?? '-'}" "${req.headers['user-agent'] ?? '-'}" "${req.headers['x-forwarded-for'] ?? '-'}"\n`);
}
