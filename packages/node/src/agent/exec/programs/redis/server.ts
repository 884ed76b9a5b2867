// The redis image: docker-entrypoint.sh (flags or a .conf first → redis-server) and
// redis-server speaking RESP on 6379 (or --port), logging as Redis 7.4 does, saving and exiting
// 0 on SIGTERM.

import { createServer, type Server, type Socket } from 'node:net';
import type { Program } from '../../process.js';
import { execInPlace } from '../entrypoint.js';
import { redisTime } from '../log-format.js';
import { serverPorts } from '../http.js';
import { RedisStore } from './commands.js';
import { encodeReply, ProtocolError, RequestParser } from './resp.js';

export const REDIS_VERSION = '7.4.1';

export const redisEntrypoint: Program = async (proc) => {
  let args = proc.argv.slice(1);
  if (args.length === 0) return 0;
  if (args[0]!.startsWith('-') || args[0]!.endsWith('.conf')) args = ['redis-server', ...args];
  return execInPlace(proc, args, '/usr/local/bin/docker-entrypoint.sh', 24);
};

export const redisServer: Program = async (proc) => {
  const args = proc.argv.slice(1);
  if (args[0] === '-v' || args[0] === '--version') {
    proc.out(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0000000000000000\n`);
    return 0;
  }
  let port = 6379;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') {
      const p = Number(args[++i]);
      if (!Number.isInteger(p) || p < 0 || p > 65535) {
        proc.err(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line 2\n>>> 'port "${args[i]}"'\nargument couldn't be parsed into an integer\n`);
        return 1;
      }
      port = p;
    }
  }
  const pid = proc.init ? 1 : 7;
  const log = (role: 'C' | 'M', level: '*' | '#', msg: string) => proc.out(`${pid}:${role} ${redisTime(proc.sys.now())} ${level} ${msg}\n`);
  log('C', '*', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log('C', '*', `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${pid}, just started`);
  if (args.length === 0) log('C', '#', 'Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf');
  else log('C', '*', 'Configuration loaded');
  log('M', '*', 'monotonic clock: POSIX clock_gettime');

  const store = new RedisStore(() => proc.sys.now());
  const servers: Server[] = [];
  for (const p of serverPorts(proc.sys, port)) {
    const server = createServer((socket) => serve(socket, store));
    try {
      await proc.sys.listen(server, p);
      servers.push(server);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'Address already in use' : 'Permission denied';
      log('M', '#', `Warning: Could not create server TCP listening socket *:${p}: bind: ${why}`);
      log('M', '#', `Failed listening on port ${p} (tcp), aborting.`);
      await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
      return 1;
    }
  }
  log('M', '*', `Running mode=standalone, port=${port}.`);
  log('M', '*', 'Server initialized');
  log('M', '*', 'Ready to accept connections tcp');

  const sig = await new Promise<string>((resolve, reject) => {
    proc.onSignal((s) => {
      if (s === 'SIGTERM' || s === 'SIGINT') resolve(s);
    });
    proc.sys.untilKilled().catch(reject);
  });
  proc.out(`${pid}:signal-handler (${Math.floor(proc.sys.now() / 1000)}) Received ${sig} scheduling shutdown...\n`);
  log('M', '*', 'User requested shutdown...');
  log('M', '*', 'Saving the final RDB snapshot before exiting.');
  log('M', '*', 'DB saved on disk');
  await Promise.all(servers.map((s) => proc.sys.closeServer(s)));
  log('M', '#', 'Redis is now ready to exit, bye bye...');
  return 0;
};

function serve(socket: Socket, store: RedisStore): void {
  const parser = new RequestParser();
  socket.on('data', (chunk: Buffer) => {
    let commands: string[][];
    try {
      commands = parser.push(chunk);
    } catch (e) {
      if (e instanceof ProtocolError) socket.end(`-ERR ${e.message}\r\n`);
      else socket.destroy();
      return;
    }
    for (const args of commands) {
      const { reply, quit } = store.execute(args);
      socket.write(encodeReply(reply));
      if (quit) {
        socket.end();
        return;
      }
    }
  });
  socket.on('error', () => socket.destroy());
}
