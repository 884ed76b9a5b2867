// busybox httpd: `httpd -f -p [IP:]PORT -h HOME` serves files from HOME (default: the working
// directory) in the container's filesystem. Without -f it forks into the background and the
// started process returns at once. It installs no SIGTERM handler, so as PID 1 it waits for the
// SIGKILL, as the real one does.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Proc, Program } from '../process.js';
import { contentType, listenHttp, lookupStatic, remoteAddress } from './http.js';
import { httpDate } from './log-format.js';

export const busyboxHttpd: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let foreground = false;
  let verbose = false;
  let port = 80;
  let home = '.';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-[fvi]+$/.test(a)) {
      if (a.includes('f')) foreground = true;
      if (a.includes('v')) verbose = true;
    } else if (a === '-p') {
      const spec = args[++i] ?? '';
      const p = Number(spec.slice(spec.lastIndexOf(':') + 1));
      if (!Number.isInteger(p) || p <= 0 || p > 65535) {
        proc.err(`httpd: invalid number '${spec}'\n`);
        return 1;
      }
      port = p;
    } else if (a === '-h') home = args[++i] ?? '.';
    else if (['-c', '-r', '-u', '-m', '-e', '-d'].includes(a)) i++;
    else {
      proc.err(`httpd: unrecognized option '${a}'\nBusyBox v1.36.1 multi-call binary.\n\nUsage: httpd [-ifv[v]] [-c CONFFILE] [-p [IP:]PORT] [-u USER[:GRP]] [-r REALM] [-h HOME]\n`);
      return 1;
    }
  }
  const root = proc.sys.fs.containerPath(home, proc.cwd);
  try {
    await listenHttp(proc.sys, port, (req, res) => handle(proc, root, verbose, req, res));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    proc.err(`httpd: bind: ${code === 'EACCES' ? 'Permission denied' : 'Address in use'}\n`);
    return 1;
  }
  if (!foreground) return 0;
  return proc.sys.untilKilled();
};

const page = (title: string, text: string) => `<HTML><HEAD><TITLE>${title}</TITLE></HEAD>\n<BODY><H1>${title}</H1>\n${text}\n</BODY></HTML>\n`;

async function handle(proc: Proc, root: string, verbose: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.sendDate = false;
  res.shouldKeepAlive = false;
  res.setHeader('Date', httpDate(proc.sys.now()));
  if (verbose) proc.err(`${remoteAddress(req)}:${req.socket.remotePort}: url:${req.url}\n`);
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
    send(res, req, 501, 'text/html', page('501 Not Implemented', 'The requested method is not recognized'));
    return;
  }
  const found = await lookupStatic(proc.sys, root, req.url);
  if (found.kind === 'file') {
    res.setHeader('Last-Modified', httpDate(found.mtimeMs));
    res.setHeader('ETag', `"${Math.floor(found.mtimeMs / 1000).toString(16)}-${found.size.toString(16)}"`);
    res.setHeader('Accept-Ranges', 'bytes');
    send(res, req, 200, contentType(found.path, 'application/octet-stream'), found.body);
  } else if (found.kind === 'redirect') {
    res.setHeader('Location', found.location);
    send(res, req, 301, 'text/html', page('301 Moved Permanently', 'The requested URL moved to this location'));
  } else {
    send(res, req, 404, 'text/html', page('404 Not Found', 'The requested URL was not found'));
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string | Buffer): void {
  res.setHeader('Content-type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(req.method === 'HEAD' ? undefined : body);
}
