// busybox's network clients: ping (addresses the container can resolve answer; there is no
// ICMP here, so replies are reported with a nominal round-trip) and wget (a real HTTP request
// over the loopback network the emulated swarm lives on).

import { posix } from 'node:path';
import type { Program } from '../process.js';
import { connectFailure, fail } from './coreutils/common.js';
import { errnoMessage } from '../rootfs.js';
import { httpExchange, parseHttpUrl, type HttpReply } from './http-client.js';

export const ping: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let count = Infinity;
  let intervalS = 1;
  let quiet = false;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    // A flag's value may be attached (-c1) or the next argument (-c 1).
    const value = () => (a.length > 2 ? a.slice(2) : args[++i]);
    if (a.startsWith('-c')) count = Number(value());
    else if (a.startsWith('-i')) intervalS = Number(value());
    else if (a === '-q') quiet = true;
    else if (/^-[Wwsti]/.test(a) || a.startsWith('-I')) value();
    else if (a === '-4' || a === '-6') continue;
    else host = a;
  }
  if (!host) return fail(proc, 'usage: ping [OPTIONS] HOST');
  if (!(count > 0) || !(intervalS >= 0)) return fail(proc, `invalid number '${args.join(' ')}'`);
  const address = await proc.sys.resolve(host);
  if (!address) return fail(proc, `bad address '${host}'`);
  proc.out(`PING ${host} (${address}): 56 data bytes\n`);
  let sent = 0;
  let interrupted = false;
  proc.onSignal((sig) => {
    if (sig === 'SIGINT') interrupted = true;
  });
  const times: number[] = [];
  while (sent < count && !interrupted) {
    const rtt = 0.04 + ((sent * 7) % 10) / 1000;
    times.push(rtt);
    if (!quiet) proc.out(`64 bytes from ${address}: seq=${sent} ttl=64 time=${rtt.toFixed(3)} ms\n`);
    sent++;
    if (sent < count) await proc.sys.sleep(intervalS * 1000);
  }
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  proc.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${sent} packets received, 0% packet loss\n`);
  proc.out(`round-trip min/avg/max = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)} ms\n`);
  return 0;
};

export const wget: Program = async (proc) => {
  const args = proc.argv.slice(1);
  let quiet = false;
  let output: string | undefined;
  let spider = false;
  let timeoutS = 900;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-O') output = args[++i];
    else if (a.startsWith('-O')) output = a.slice(2);
    else if (a === '-qO-' || a === '-qO') {
      quiet = true;
      output = a === '-qO-' ? '-' : args[++i];
    } else if (a === '--spider') spider = true;
    else if (a === '-T') timeoutS = Number(args[++i]);
    else if (a.startsWith('--timeout=')) timeoutS = Number(a.slice(10));
    else if (a.startsWith('-')) continue;
    else url = a;
  }
  if (!url) return fail(proc, 'missing URL');
  const parsed = parseHttpUrl(url);
  if (!parsed) return fail(proc, `bad address '${url}'`);
  if (parsed.protocol !== 'http:') return fail(proc, `not an http or ftp url: ${url}`);
  const host = parsed.hostname;
  const port = Number(parsed.port || 80);
  const address = await proc.sys.resolve(host);
  if (!address) return fail(proc, `bad address '${host}'`);
  if (!quiet) proc.err(`Connecting to ${host}${parsed.port ? `:${parsed.port}` : ''} (${address}:${port})\n`);

  let result: HttpReply;
  try {
    result = await httpExchange(proc, {
      address,
      port,
      method: spider ? 'HEAD' : 'GET',
      path: `${parsed.pathname}${parsed.search}`,
      headers: { Host: parsed.host, 'User-Agent': 'Wget', Connection: 'close' },
      timeoutMs: timeoutS * 1000,
    });
  } catch (e) {
    if (proc.sys.killed) return 1;
    const error = e as NodeJS.ErrnoException;
    const failure = connectFailure(error);
    return fail(proc, error.code === 'ETIMEDOUT' ? 'download timed out' : failure ? `can't connect to remote host (${address}): ${failure}` : error.message);
  }
  if (result.status >= 400) return fail(proc, `server returned error: HTTP/1.1 ${result.status} ${result.statusText}`);
  if (spider) {
    if (!quiet) proc.err('remote file exists\n');
    return 0;
  }
  if (output === '-') {
    if (!quiet) proc.err('writing to stdout\n');
    proc.out(result.body.toString('utf8'));
    return 0;
  }
  const file = output ?? (posix.basename(parsed.pathname) || 'index.html');
  if (!quiet) proc.err(`saving to '${file}'\n`);
  try {
    await proc.sys.fs.writeFile(file, result.body, proc.cwd);
  } catch (e) {
    return fail(proc, `can't open '${file}': ${errnoMessage(e)}`);
  }
  if (!quiet) proc.err(`'${file}' saved\n`);
  return 0;
};

/** Where a container's resolver points (Docker's embedded DNS server). */
const EMBEDDED_DNS = '127.0.0.11';

/**
 * busybox nslookup, answered by the swarm's service discovery as Docker's embedded DNS answers:
 * a service's VIP, every task of tasks.<service> (or of a dnsrr service), a task's address. Names
 * outside the swarm are not found: containers here have no way out.
 */
export const nslookup: Program = async (proc) => {
  const operands = proc.argv.slice(1).filter((a) => !a.startsWith('-'));
  const name = operands[0];
  if (!name) {
    proc.err('Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n');
    return 1;
  }
  proc.out(`Server:\t\t${EMBEDDED_DNS}\nAddress:\t${EMBEDDED_DNS}:53\n\n`);
  const query = /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? `${name.split('.').reverse().join('.')}.in-addr.arpa` : name;
  const addresses = query === name ? await proc.sys.lookup(name) : [];
  if (addresses.length === 0) {
    // One line for the A query, one for the AAAA query.
    proc.out(`** server can't find ${query}: NXDOMAIN\n\n** server can't find ${query}: NXDOMAIN\n\n`);
    return 1;
  }
  proc.out('Non-authoritative answer:\n');
  for (const a of addresses) proc.out(`Name:\t${name}\nAddress: ${a}\n`);
  // The overlay has no IPv6: the AAAA query finds the name without an answer.
  proc.out(`\nNon-authoritative answer:\n*** Can't find ${name}: No answer\n\n`);
  return 0;
};
