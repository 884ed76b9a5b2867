// curl, as the nginx images ship it: HTTP requests from inside a container (health checks, trying a
// service by name), with curl's options, exit codes and messages for the common cases. The
// connection is the container's own (loopback, or the swarm's overlay); there is no TLS here, so an
// https:// URL fails as curl does against a server that does not speak it.

import { posix } from 'node:path';
import type { Proc, Program } from '../process.js';
import { httpExchange, parseHttpUrl, type HttpReply } from './http-client.js';

/** curl's exit codes (libcurl CURLcode) for what can go wrong here. */
const CURLE = { UNSUPPORTED_PROTOCOL: 1, URL_MALFORMAT: 3, COULDNT_RESOLVE_HOST: 6, COULDNT_CONNECT: 7, HTTP_RETURNED_ERROR: 22, WRITE_ERROR: 23, OPERATION_TIMEDOUT: 28, SSL_CONNECT_ERROR: 35, TOO_MANY_REDIRECTS: 47 } as const;

const USAGE_HINT = "curl: try 'curl --help' or 'curl --manual' for more information\n";

interface CurlOptions {
  url?: string;
  silent: boolean;
  noMeter: boolean;
  showError: boolean;
  fail: boolean;
  output?: string;
  remoteName: boolean;
  head: boolean;
  include: boolean;
  verbose: boolean;
  method?: string;
  headers: string[];
  data: string[];
  location: boolean;
  maxTimeS?: number;
  writeOut?: string;
  userAgent?: string;
}

/** Short letters without a value, then those that take one (the rest of the word, or the next argument). */
const SHORT_SWITCHES: Record<string, keyof CurlOptions> = { s: 'silent', S: 'showError', f: 'fail', O: 'remoteName', I: 'head', i: 'include', v: 'verbose', L: 'location' };
const SHORT_VALUES = new Set(['o', 'X', 'H', 'd', 'm', 'w', 'A']);
const LONG: Record<string, string> = {
  '--silent': 's', '--show-error': 'S', '--fail': 'f', '--remote-name': 'O', '--head': 'I', '--include': 'i', '--verbose': 'v', '--location': 'L',
  '--output': 'o', '--request': 'X', '--header': 'H', '--data': 'd', '--data-raw': 'd', '--data-binary': 'd', '--max-time': 'm', '--write-out': 'w', '--user-agent': 'A',
};
/** Accepted and without effect here (no TLS, no retries to make). */
const SHORT_IGNORED = new Set(['k']);
const LONG_IGNORED = new Set(['--insecure', '--compressed', '--http1.1', '--no-buffer']);
const LONG_IGNORED_VALUES = new Set(['--retry', '--retry-delay', '--retry-max-time', '--connect-timeout']);

type Parsed = { options: CurlOptions } | { error: string };

function parseOptions(args: string[]): Parsed {
  const o: CurlOptions = { silent: false, noMeter: false, showError: false, fail: false, remoteName: false, head: false, include: false, verbose: false, headers: [], data: [], location: false };
  const setValue = (letter: string, value: string | undefined): string | undefined => {
    if (value === undefined) return `option -${letter}: requires parameter`;
    if (letter === 'o') o.output = value;
    else if (letter === 'X') o.method = value;
    else if (letter === 'H') o.headers.push(value);
    else if (letter === 'd') o.data.push(value);
    else if (letter === 'w') o.writeOut = value;
    else if (letter === 'A') o.userAgent = value;
    else if (letter === 'm') {
      const s = Number(value);
      if (!Number.isFinite(s) || s < 0) return `option -m: expected a proper numerical parameter`;
      o.maxTimeS = s;
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, attached] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (name === '--no-progress-meter') {
        o.noMeter = true;
        continue;
      }
      if (LONG_IGNORED.has(name)) continue;
      if (LONG_IGNORED_VALUES.has(name)) {
        if (attached === undefined) i++;
        continue;
      }
      const letter = LONG[name];
      if (!letter) return { error: `option ${a}: is unknown` };
      if (SHORT_VALUES.has(letter)) {
        const problem = setValue(letter, attached ?? args[++i]);
        if (problem) return { error: problem.replace(`-${letter}`, name) };
      } else (o[SHORT_SWITCHES[letter]!] as boolean) = true;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j]!;
        if (SHORT_VALUES.has(letter)) {
          const problem = setValue(letter, j + 1 < a.length ? a.slice(j + 1) : args[++i]);
          if (problem) return { error: problem };
          break;
        }
        if (SHORT_IGNORED.has(letter)) continue;
        const key = SHORT_SWITCHES[letter];
        if (!key) return { error: `option -${letter}: is unknown` };
        (o[key] as boolean) = true;
      }
      continue;
    }
    o.url ??= a;
  }
  return { options: o };
}

/** curl's 5-character size column: 615, 9876, 12k, 1234k, 12.3M… */
function size5(n: number): string {
  if (n < 100_000) return String(n).padStart(5);
  if (n < 10_000 * 1024) return `${Math.round(n / 1024)}k`.padStart(5);
  if (n < 100 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)}M`.padStart(5);
  return `${Math.round(n / 1024 / 1024)}M`.padStart(5);
}

const METER_HEAD =
  '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';

function meterLine(total: number, received: number, elapsedMs: number): string {
  const pct = (part: number) => String(total > 0 ? Math.floor((part * 100) / total) : 0).padStart(3);
  const speed = size5(Math.round(received / Math.max(elapsedMs / 1000, 0.001)));
  return `\r${pct(received)} ${size5(total)}  ${pct(received)} ${size5(received)}    0     0 ${speed}      0 --:--:-- --:--:-- --:--:-- ${speed}\n`;
}

/** -w's variables and escapes. */
function writeOut(format: string, vars: Record<string, string>): string {
  return format
    .replace(/%\{(\w+)\}/g, (whole, name: string) => vars[name] ?? '')
    .replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

function headerBlock(reply: HttpReply): string {
  let text = `HTTP/${reply.httpVersion} ${reply.status} ${reply.statusText}\r\n`;
  for (let i = 0; i < reply.rawHeaders.length; i += 2) text += `${reply.rawHeaders[i]}: ${reply.rawHeaders[i + 1]}\r\n`;
  return `${text}\r\n`;
}

export function curlProgram(version: string): Program {
  return async (proc) => {
    const parsed = parseOptions(proc.argv.slice(1));
    if ('error' in parsed) {
      proc.err(`curl: ${parsed.error}\n${USAGE_HINT}`);
      return 2;
    }
    const o = parsed.options;
    if (!o.url) {
      proc.err(`curl: no URL specified\n${USAGE_HINT}`);
      return 2;
    }
    return new CurlRun(proc, o, version).run(o.url);
  };
}

class CurlRun {
  private readonly started = Date.now();
  private redirects = 0;

  constructor(
    private readonly proc: Proc,
    private readonly o: CurlOptions,
    private readonly version: string,
  ) {}

  /** Errors are printed unless -s (and shown again with -S); the exit code is curl's. */
  private failWith(code: number, message: string): number {
    if (!this.o.silent || this.o.showError) this.proc.err(`curl: (${code}) ${message}\n`);
    return code;
  }

  private verbose(line: string): void {
    if (this.o.verbose) this.proc.err(`${line}\n`);
  }

  private elapsedMs(): number {
    return Date.now() - this.started;
  }

  async run(rawUrl: string): Promise<number> {
    const { proc, o } = this;
    const deadline = o.maxTimeS !== undefined && o.maxTimeS > 0 ? o.maxTimeS * 1000 : 24 * 3600_000;
    // The meter goes to stderr when the body does not go to a terminal (curl's own rule).
    const meter = !o.silent && !o.noMeter && !o.verbose && (o.output !== undefined || o.remoteName || proc.stdin !== 'tty');
    if (meter) proc.err(METER_HEAD);
    let url = rawUrl;
    for (;;) {
      const target = parseHttpUrl(url);
      if (!target || !target.hostname) return this.failWith(CURLE.URL_MALFORMAT, `URL rejected: Malformed input to a URL function`);
      const scheme = target.protocol.slice(0, -1);
      if (scheme !== 'http' && scheme !== 'https') return this.failWith(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${scheme}" not supported`);
      const host = target.hostname;
      const port = Number(target.port || (scheme === 'https' ? 443 : 80));
      const address = await proc.sys.resolve(host);
      if (!address) return this.failWith(CURLE.COULDNT_RESOLVE_HOST, `Could not resolve host: ${host}`);
      this.verbose(`*   Trying ${address}:${port}...`);
      const method = o.method ?? (o.head ? 'HEAD' : o.data.length > 0 ? 'POST' : 'GET');
      const body = o.data.length > 0 ? Buffer.from(o.data.join('&')) : undefined;
      const headers: Record<string, string> = { Host: target.host, 'User-Agent': o.userAgent ?? `curl/${this.version}`, Accept: '*/*' };
      if (body) {
        headers['Content-Length'] = String(body.length);
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
      }
      for (const h of o.headers) {
        const colon = h.indexOf(':');
        if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
      }
      let reply: HttpReply;
      try {
        if (scheme === 'https') {
          await this.tlsHandshake(address, port);
          return this.failWith(CURLE.SSL_CONNECT_ERROR, 'error:0A00010B:SSL routines::wrong version number');
        }
        reply = await httpExchange(proc, { address, port, method, path: `${target.pathname}${target.search}`, headers: { ...headers, Connection: 'close' }, body, timeoutMs: Math.max(1, deadline - this.elapsedMs()) });
      } catch (e) {
        if (proc.sys.killed) return 1;
        const error = e as NodeJS.ErrnoException;
        if (error.code === 'ETIMEDOUT') return this.failWith(CURLE.OPERATION_TIMEDOUT, `Operation timed out after ${this.elapsedMs()} milliseconds with 0 bytes received`);
        if (error.code === 'ECONNREFUSED' || error.code === 'ENETUNREACH' || error.code === 'EHOSTUNREACH')
          return this.failWith(CURLE.COULDNT_CONNECT, `Failed to connect to ${host} port ${port} after ${this.elapsedMs()} ms: Couldn't connect to server`);
        return this.failWith(CURLE.COULDNT_CONNECT, error.message);
      }
      this.verbose(`* Connected to ${host} (${address}) port ${port} (#0)`);
      this.verbose(`> ${method} ${target.pathname}${target.search} HTTP/1.1`);
      for (const [k, v] of Object.entries(headers)) this.verbose(`> ${k}: ${v}`);
      this.verbose('>');
      for (const line of headerBlock(reply).split('\r\n').slice(0, -1)) this.verbose(`< ${line}`);

      const location = reply.headers.location;
      if (o.location && location && [301, 302, 303, 307, 308].includes(reply.status)) {
        if (++this.redirects > 50) return this.failWith(CURLE.TOO_MANY_REDIRECTS, 'Maximum (50) redirects followed');
        if (o.include) proc.out(headerBlock(reply));
        url = new URL(location, target).toString();
        continue;
      }
      if (o.fail && reply.status >= 400) {
        if (meter) proc.err(meterLine(0, 0, this.elapsedMs()));
        return this.failWith(CURLE.HTTP_RETURNED_ERROR, `The requested URL returned error: ${reply.status}`);
      }
      const code = await this.deliver(reply, target);
      if (meter) proc.err(meterLine(reply.body.length, reply.body.length, this.elapsedMs()));
      this.verbose(`* Connection #0 to host ${host} left intact`);
      if (code !== 0) return code;
      if (o.writeOut !== undefined) {
        proc.out(
          writeOut(o.writeOut, {
            http_code: String(reply.status).padStart(3, '0'),
            response_code: String(reply.status),
            size_download: String(reply.body.length),
            time_total: (this.elapsedMs() / 1000).toFixed(6),
            remote_ip: address,
            remote_port: String(port),
            url_effective: target.toString(),
            content_type: String(reply.headers['content-type'] ?? ''),
            num_redirects: String(this.redirects),
          }),
        );
      }
      return 0;
    }
  }

  /** The headers (-i, -I) and the body, to stdout or the -o/-O file. */
  private async deliver(reply: HttpReply, target: URL): Promise<number> {
    const { proc, o } = this;
    const head = o.include || o.head ? headerBlock(reply) : '';
    const content = o.head ? Buffer.from(head) : Buffer.concat([Buffer.from(head), reply.body]);
    const file = o.output ?? (o.remoteName ? posix.basename(target.pathname) : undefined);
    if (file === undefined || file === '-') {
      proc.out(content.toString('utf8'));
      return 0;
    }
    if (!file) return this.failWith(CURLE.WRITE_ERROR, 'Remote file name has no length');
    try {
      await proc.sys.fs.writeFile(file, content, proc.cwd);
      return 0;
    } catch {
      return this.failWith(CURLE.WRITE_ERROR, `Failure writing output to destination`);
    }
  }

  /** An https:// URL: a server must at least accept the connection before TLS can fail. */
  private async tlsHandshake(address: string, port: number): Promise<void> {
    const socket = await this.proc.sys.connect(address, port);
    socket.destroy();
  }
}
