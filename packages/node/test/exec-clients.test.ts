// The HTTP and DNS clients inside containers: curl (the nginx images), busybox wget and nslookup
// (Alpine-based variants and busybox), with their options, outputs and exit codes, against a real
// nginx on the container's loopback address.

import { describe, expect, it } from 'vitest';
import { useRuntime, waitForPort } from './exec-helpers.js';

const SERVICES: Record<string, string[]> = { web: ['10.0.1.2'], 'tasks.web': ['10.0.1.4', '10.0.1.5'] };
const t = useRuntime(137, { lookupName: (name) => SERVICES[name] ?? [] });

async function nginxUp(image: string) {
  const c = await t.run(image);
  await waitForPort(c.config.bindAddress, 80);
  return c;
}

describe('curl in nginx', () => {
  it('fetches a page to stdout, with the progress meter on stderr unless -s', async () => {
    const c = await nginxUp('nginx:1.27');
    const plain = await c.exec(['curl', 'http://localhost/']);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain('<title>Welcome to nginx!</title>');
    expect(plain.stderr).toContain('  % Total    % Received % Xferd  Average Speed');
    expect(plain.stderr).toMatch(/\r100 +\d+ +100 +\d+ +0 +0/);
    const quiet = await c.exec(['curl', '-kfsSL', 'localhost']);
    expect(quiet).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('shows headers with -I and -i, writes -o files and -w variables', async () => {
    const c = await nginxUp('nginx');
    const head = await c.exec(['curl', '-sI', 'http://localhost/']);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.3\r\n/);
    expect(head.stdout).not.toContain('<html>');
    expect((await c.exec(['curl', '-si', 'localhost'])).stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n<!DOCTYPE html>/);
    expect(await c.exec(['sh', '-c', 'curl -s -o /tmp/page.html -w "%{http_code} %{remote_ip}\\n" localhost/ && grep -c Welcome /tmp/page.html'])).toMatchObject({
      exitCode: 0,
      stdout: `200 ${c.config.bindAddress}\n2\n`,
    });
  });

  it('fails with curl\'s codes and words: 22 with -f on an error status, 7 refused, 6 unknown host, 2 bad option', async () => {
    const c = await nginxUp('nginx');
    expect(await c.exec(['curl', '-sSf', 'http://localhost/missing'])).toMatchObject({ exitCode: 22, stdout: '', stderr: 'curl: (22) The requested URL returned error: 404\n' });
    expect((await c.exec(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'localhost/missing'])).stdout).toBe('404');
    expect(await c.exec(['curl', '-s', 'http://localhost:81/'])).toMatchObject({ exitCode: 7, stderr: '' });
    expect((await c.exec(['curl', '-sS', 'http://localhost:81/'])).stderr).toMatch(/^curl: \(7\) Failed to connect to localhost port 81 after \d+ ms: Couldn't connect to server\n$/);
    expect(await c.exec(['curl', '-sS', 'http://nosuch/'])).toMatchObject({ exitCode: 6, stderr: 'curl: (6) Could not resolve host: nosuch\n' });
    expect(await c.exec(['curl', '--bogus', 'localhost'])).toMatchObject({ exitCode: 2, stderr: "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n" });
    expect((await c.exec(['curl'])).exitCode).toBe(2);
    expect((await c.exec(['curl', '-sS', 'https://localhost:80/'])).exitCode).toBe(35);
  });

  it('sends methods, headers and data', async () => {
    const c = await t.run('traefik/whoami');
    await waitForPort(c.config.bindAddress, 80);
    const nginx = await nginxUp('nginx');
    const reply = await nginx.exec(['curl', '-s', '-X', 'PUT', '-H', 'X-Probe: 1', '-d', 'a=1', '-d', 'b=2', `http://${c.config.bindAddress}/`]);
    expect(reply.stdout).toContain('PUT / HTTP/1.1');
    expect(reply.stdout).toContain('X-Probe: 1');
    expect(reply.stdout).toContain('Content-Type: application/x-www-form-urlencoded');
    expect(reply.stdout).toContain('User-Agent: curl/7.88.1');
  });
});

describe('Alpine variants', () => {
  it('nginx:alpine has busybox: ash, wget (so a wget health check works) and curl', async () => {
    const c = await nginxUp('nginx:1.27-alpine');
    expect(await c.exec(['wget', '-q', '-O', '/dev/null', 'http://localhost/'])).toMatchObject({ exitCode: 0 });
    expect((await c.exec(['sh', '-c', 'command -v wget; command -v curl'])).stdout).toBe('/bin/wget\n/usr/bin/curl\n');
    expect((await c.exec(['curl', '-s', 'localhost'])).stdout).toContain('Welcome to nginx!');
    // The Debian-based image has no wget.
    const debian = await nginxUp('nginx:1.27');
    expect((await debian.exec(['wget', 'localhost'])).exitCode).toBe(127);
  });

  it('redis:alpine runs redis with busybox tools beside it', async () => {
    const c = await t.run('redis:7-alpine');
    await waitForPort(c.config.bindAddress, 6379);
    expect(await c.exec(['redis-cli', 'ping'])).toMatchObject({ exitCode: 0, stdout: 'PONG\n' });
    expect((await c.exec(['sh', '-c', 'command -v nslookup'])).stdout).toBe('/bin/nslookup\n');
  });
});

describe('nslookup', () => {
  it('answers as busybox does against Docker\'s embedded DNS: every address, then no AAAA', async () => {
    const c = await t.run('busybox', ['sleep', '1000']);
    const tasks = await c.exec(['nslookup', 'tasks.web']);
    expect(tasks.exitCode).toBe(0);
    expect(tasks.stdout).toBe(
      'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\ttasks.web\nAddress: 10.0.1.4\nName:\ttasks.web\nAddress: 10.0.1.5\n\n' +
        "Non-authoritative answer:\n*** Can't find tasks.web: No answer\n\n",
    );
    expect((await c.exec(['nslookup', 'web'])).stdout).toContain('Name:\tweb\nAddress: 10.0.1.2\n');
    expect(await c.exec(['nslookup', 'nosuch'])).toMatchObject({ exitCode: 1, stdout: expect.stringContaining("** server can't find nosuch: NXDOMAIN") });
  });
});
