// The built-in server images on real sockets: nginx, httpd, traefik/whoami, redis and busybox
// httpd answer on the container's own loopback address, log as their namesakes, stop as Docker
// stops them, and leave their ports free.

import { describe, expect, it } from 'vitest';
import { httpGet, logText, portIsFree, tcpExchange, useRuntime, waitForPort } from './exec-helpers.js';

const t = useRuntime(133);

describe('nginx', () => {
  it('serves its welcome page naming the container, logs the request, and stops with exit 0', async () => {
    const c = await t.run('nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    const addr = c.config.bindAddress;
    const res = await httpGet(addr, 80, '/', { 'User-Agent': 'curl/8.5.0' });
    expect(res.status).toBe(200);
    expect(res.headers.server).toBe('nginx/1.27.3');
    expect(res.body).toContain('<title>Welcome to nginx!</title>');
    expect(res.body).toContain(c.hostname);
    expect((await httpGet(addr, 80, '/nope')).status).toBe(404);

    const stdout = await logText(c, 'stdout');
    expect(stdout).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
    expect(stdout).toMatch(/\d+\.\d+\.\d+\.\d+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "curl\/8\.5\.0" "-"/);
    expect(stdout).toContain('"GET /nope HTTP/1.1" 404');
    expect(await logText(c, 'stderr')).toContain('[notice] 1#1: start worker processes');

    await c.stop();
    expect(c.status()).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(await logText(c, 'stderr')).toContain('signal 3 (SIGQUIT) received');
    expect(await portIsFree(addr, 80)).toBe(true);
  });

  it('also listens on the task\'s target ports, and serves files a script put in the html root', async () => {
    const c = await t.run('nginx', ['sh', '-c', "echo custom > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;'"], { ports: [{ targetPort: 8080, protocol: 'tcp' }] });
    const addr = c.config.bindAddress;
    // The script writes the page first: nginx binds once it is exec'd.
    await waitForPort(addr, 80);
    await waitForPort(addr, 8080);
    expect((await httpGet(addr, 8080)).body).toBe('custom\n');
    expect((await httpGet(addr, 80)).body).toBe('custom\n');
    await c.stop();
    expect(c.status().exitCode).toBe(0);
    expect(await portIsFree(addr, 8080)).toBe(true);
  });

  it('serves a config mounted over its index.html', async () => {
    const page = { target: '/usr/share/nginx/html/index.html', uid: '0', gid: '0', mode: 0o444, data: Buffer.from('<p>from a config</p>\n') };
    const c = await t.run('nginx', undefined, { configs: [page] });
    expect((await httpGet(c.config.bindAddress, 80)).body).toBe('<p>from a config</p>\n');
  });

  it('fails with nginx\'s bind error when the port is taken', async () => {
    const first = await t.run('nginx');
    const second = await t.run('nginx', undefined, { bindAddress: first.config.bindAddress });
    expect(await second.wait()).toBe(1);
    expect(await logText(second, 'stderr')).toContain('nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)');
    expect((await httpGet(first.config.bindAddress, 80)).status).toBe(200);
  });
});

describe('httpd', () => {
  it('answers "It works!" with the hostname, logs in common format, and stops gracefully on SIGWINCH', async () => {
    const c = await t.run('docker.io/library/httpd:2.4');
    const res = await httpGet(c.config.bindAddress, 80);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1>It works!</h1>');
    expect(res.body).toContain(c.hostname);
    expect(res.headers.server).toBe('Apache/2.4.62 (Unix)');
    expect(await logText(c, 'stdout')).toMatch(/ - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+$/);
    await c.stop();
    expect(c.status().exitCode).toBe(0);
    expect(await logText(c, 'stderr')).toContain('AH00492: caught SIGWINCH, shutting down gracefully');
  });
});

describe('whoami', () => {
  it('echoes hostname, IPs and the request as traefik/whoami does', async () => {
    const c = await t.run('traefik/whoami:v1.10', undefined, { env: ['WHOAMI_NAME={{.Service.Name}}-{{.Task.Slot}}'], addresses: ['10.0.1.7'] });
    const res = await httpGet(c.config.bindAddress, 80, '/hello?x=1', { 'User-Agent': 'curl/8.5.0', Accept: '*/*', 'x-custom': 'v' });
    expect(res.status).toBe(200);
    const lines = res.body.split('\n');
    expect(lines.slice(0, 5)).toEqual(['Name: web-1', `Hostname: ${c.hostname}`, 'IP: 127.0.0.1', 'IP: ::1', 'IP: 10.0.1.7']);
    expect(lines[5]).toMatch(/^RemoteAddr: 127\.\d+\.\d+\.\d+:\d+$/);
    expect(res.body).toContain('GET /hello?x=1 HTTP/1.1\r\nHost: ');
    expect(res.body).toContain('\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n');
    expect(res.body).toContain('X-Custom: v\r\n');
    expect(await logText(c, 'stderr')).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Starting up on port 80$/);

    const api = JSON.parse((await httpGet(c.config.bindAddress, 80, '/api')).body) as { hostname: string; ip: string[] };
    expect(api).toMatchObject({ hostname: c.hostname, ip: ['127.0.0.1', '::1', '10.0.1.7'] });

    // Go's runtime as PID 1, with no handler, exits 2 on SIGTERM.
    await c.stop();
    expect(c.status().exitCode).toBe(2);
  });

  it('takes --port and answers as containous/whoami too', async () => {
    const c = await t.run('containous/whoami', ['--port', '8000']);
    expect((await httpGet(c.config.bindAddress, 8000)).body).toContain(`Hostname: ${c.hostname}`);
    expect(await portIsFree(c.config.bindAddress, 80)).toBe(true);
  });
});

describe('redis', () => {
  it('speaks RESP on 6379: PING, SET/GET, DEL, EXISTS, INCR, KEYS, errors and QUIT', async () => {
    const c = await t.run('redis:7.4-alpine');
    expect(await logText(c, 'stdout')).toContain('* Ready to accept connections tcp');
    const script = [
      'PING',
      '*3\r\n$3\r\nSET\r\n$5\r\ngreet\r\n$5\r\nhello',
      'GET greet',
      'GET missing',
      'EXISTS greet missing',
      'INCR hits',
      'INCR hits',
      'INCR greet',
      'KEYS *',
      'DEL greet',
      'ECHO "a b"',
      'FOO bar',
      'GET',
      'QUIT',
    ].join('\r\n');
    const reply = await tcpExchange(c.config.bindAddress, 6379, `${script}\r\n`);
    expect(reply).toBe(
      [
        '+PONG',
        '+OK',
        '$5\r\nhello',
        '$-1',
        ':1',
        ':1',
        ':2',
        '-ERR value is not an integer or out of range',
        '*2\r\n$5\r\ngreet\r\n$4\r\nhits',
        ':1',
        '$3\r\na b',
        "-ERR unknown command 'FOO', with args beginning with: 'bar' ",
        "-ERR wrong number of arguments for 'get' command",
        '+OK',
        '',
      ].join('\r\n'),
    );
    expect(await c.exec(['redis-cli', 'ping'])).toMatchObject({ exitCode: 0, stdout: 'PONG\n' });
    expect(await c.exec(['redis-cli', 'get', 'hits'])).toMatchObject({ exitCode: 0, stdout: '2\n' });

    await c.stop();
    expect(c.status().exitCode).toBe(0);
    expect(await logText(c, 'stdout')).toContain('# Redis is now ready to exit, bye bye...');
    expect(await portIsFree(c.config.bindAddress, 6379)).toBe(true);
  });

  it('passes flags to redis-server through the entrypoint', async () => {
    const c = await t.run('redis', ['--port', '7000']);
    expect(await tcpExchange(c.config.bindAddress, 7000, 'PING\r\nQUIT\r\n')).toBe('+PONG\r\n+OK\r\n');
  });
});

describe('busybox httpd', () => {
  it('serves files of the container root with -f -p PORT -h DIR', async () => {
    const c = await t.run('busybox', ['sh', '-c', 'mkdir -p /www && echo "<h1>hello from $(hostname)</h1>" > /www/index.html && httpd -f -p 8080 -h /www']);
    await waitForPort(c.config.bindAddress, 8080);
    const res = await httpGet(c.config.bindAddress, 8080);
    expect(res).toMatchObject({ status: 200, body: `<h1>hello from ${c.hostname}</h1>\n` });
    expect((await httpGet(c.config.bindAddress, 8080, '/missing')).status).toBe(404);
    // busybox httpd as PID 1 has no SIGTERM handler: docker stop ends it with SIGKILL.
    await c.stop(50);
    expect(c.status().exitCode).toBe(137);
    expect(await portIsFree(c.config.bindAddress, 8080)).toBe(true);
  });

  it('forks into the background without -f, so the container keeps running only while sh does', async () => {
    const c = await t.run('busybox', ['sh', '-c', 'echo hi > /var/www/index.html; httpd -p 80 -h /var/www; echo started; sleep 1000']);
    await waitForPort(c.config.bindAddress, 80);
    expect((await httpGet(c.config.bindAddress, 80)).body).toBe('hi\n');
    expect(await logText(c, 'stdout')).toBe('started');
    await c.kill();
    expect(await portIsFree(c.config.bindAddress, 80)).toBe(true);
  });
});

describe('generic images', () => {
  it('runs any other image as a long-lived process that stops at once with exit 0', async () => {
    const c = await t.run('example.com/acme/api:2.1', ['serve', '--port', '9000']);
    expect(c.status().state).toBe('running');
    expect(c.path).toBe('serve');
    await c.stop();
    expect(c.status().exitCode).toBe(0);
  });
});
