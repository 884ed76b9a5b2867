// The string keyspace and the commands tutorials use, with Redis 7's replies and error texts.
// Expiry runs on the container's clock.

import { patternToRegExp } from '../../shell/pattern.js';
import { bulk, err, int, nil, ok, type Reply } from './resp.js';

interface Entry {
  value: string;
  /** Emulated ms since the epoch. */
  expiresAt?: number;
}

const NOT_INTEGER = 'ERR value is not an integer or out of range';

export class RedisStore {
  private readonly data = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  private get(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private keys(): string[] {
    return [...this.data.keys()].filter((k) => this.get(k) !== undefined);
  }

  /** Runs one command; `quit` tells the connection to close after replying. */
  execute(args: string[]): { reply: Reply; quit?: boolean } {
    const name = args[0]!.toLowerCase();
    const spec = COMMANDS[name];
    if (!spec) {
      const shown = args
        .slice(1, 1 + 16)
        .map((a) => `'${a.slice(0, 128)}' `)
        .join('');
      return { reply: err(`ERR unknown command '${args[0]!.slice(0, 128)}', with args beginning with: ${shown}`) };
    }
    const argc = args.length;
    if (spec.arity > 0 ? argc !== spec.arity : argc < -spec.arity) return { reply: err(`ERR wrong number of arguments for '${name}' command`) };
    return spec.run(this, args.slice(1));
  }

  // ---- commands --------------------------------------------------------------------------

  set(key: string, value: string, opts: string[]): Reply {
    let expiresAt: number | undefined;
    let nx = false;
    let xx = false;
    let keepTtl = false;
    let returnOld = false;
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i]!.toUpperCase();
      if (o === 'NX') nx = true;
      else if (o === 'XX') xx = true;
      else if (o === 'KEEPTTL') keepTtl = true;
      else if (o === 'GET') returnOld = true;
      else if (o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') {
        const raw = opts[++i];
        if (raw === undefined) return err('ERR syntax error');
        if (!/^-?\d+$/.test(raw)) return err(NOT_INTEGER);
        const n = Number(raw);
        if (n <= 0) return err("ERR invalid expire time in 'set' command");
        expiresAt = o === 'EX' ? this.now() + n * 1000 : o === 'PX' ? this.now() + n : o === 'EXAT' ? n * 1000 : n;
      } else return err('ERR syntax error');
    }
    if (nx && xx) return err('ERR syntax error');
    const old = this.get(key);
    if ((nx && old) || (xx && !old)) return returnOld ? bulk(old?.value ?? null) : nil;
    this.data.set(key, { value, expiresAt: keepTtl ? old?.expiresAt : expiresAt });
    return returnOld ? bulk(old?.value ?? null) : ok;
  }

  getValue(key: string): Reply {
    return bulk(this.get(key)?.value ?? null);
  }

  del(keys: string[]): Reply {
    let n = 0;
    for (const k of keys) if (this.get(k) && this.data.delete(k)) n++;
    return int(n);
  }

  exists(keys: string[]): Reply {
    return int(keys.filter((k) => this.get(k)).length);
  }

  incrBy(key: string, by: string): Reply {
    if (!/^-?\d+$/.test(by)) return err(NOT_INTEGER);
    const e = this.get(key);
    const current = e?.value ?? '0';
    if (!/^-?\d+$/.test(current)) return err(NOT_INTEGER);
    const next = BigInt(current) + BigInt(by);
    if (next > 2n ** 63n - 1n || next < -(2n ** 63n)) return err('ERR increment or decrement would overflow');
    this.data.set(key, { value: String(next), expiresAt: e?.expiresAt });
    return int(Number(next));
  }

  keysMatching(pattern: string): Reply {
    const re = patternToRegExp(pattern);
    return { t: 'array', v: this.keys().filter((k) => re.test(k)).map((k) => bulk(k)) };
  }

  expire(key: string, seconds: string): Reply {
    if (!/^-?\d+$/.test(seconds)) return err(NOT_INTEGER);
    const e = this.get(key);
    if (!e) return int(0);
    e.expiresAt = this.now() + Number(seconds) * 1000;
    return int(1);
  }

  ttl(key: string, unitMs: number): Reply {
    const e = this.get(key);
    if (!e) return int(-2);
    if (e.expiresAt === undefined) return int(-1);
    return int(Math.round((e.expiresAt - this.now()) / unitMs));
  }

  flush(): Reply {
    this.data.clear();
    return ok;
  }

  size(): Reply {
    return int(this.keys().length);
  }
}

interface CommandSpec {
  /** Redis arity: exact count with the name when positive, minimum when negative. */
  arity: number;
  run: (s: RedisStore, a: string[]) => { reply: Reply; quit?: boolean };
}

const r = (reply: Reply) => ({ reply });

const COMMANDS: Record<string, CommandSpec> = {
  ping: { arity: -1, run: (_s, a) => (a.length > 1 ? r(err("ERR wrong number of arguments for 'ping' command")) : r(a.length ? bulk(a[0]!) : { t: 'simple', v: 'PONG' })) },
  echo: { arity: 2, run: (_s, a) => r(bulk(a[0]!)) },
  get: { arity: 2, run: (s, a) => r(s.getValue(a[0]!)) },
  set: { arity: -3, run: (s, a) => r(s.set(a[0]!, a[1]!, a.slice(2))) },
  setnx: { arity: 3, run: (s, a) => r(s.set(a[0]!, a[1]!, ['NX']).t === 'simple' ? int(1) : int(0)) },
  mget: { arity: -2, run: (s, a) => r({ t: 'array', v: a.map((k) => s.getValue(k)) }) },
  mset: {
    arity: -3,
    run: (s, a) => {
      if (a.length % 2 !== 0) return r(err("ERR wrong number of arguments for 'mset' command"));
      for (let i = 0; i < a.length; i += 2) s.set(a[i]!, a[i + 1]!, []);
      return r(ok);
    },
  },
  del: { arity: -2, run: (s, a) => r(s.del(a)) },
  unlink: { arity: -2, run: (s, a) => r(s.del(a)) },
  exists: { arity: -2, run: (s, a) => r(s.exists(a)) },
  incr: { arity: 2, run: (s, a) => r(s.incrBy(a[0]!, '1')) },
  decr: { arity: 2, run: (s, a) => r(s.incrBy(a[0]!, '-1')) },
  incrby: { arity: 3, run: (s, a) => r(s.incrBy(a[0]!, a[1]!)) },
  decrby: { arity: 3, run: (s, a) => r(/^-?\d+$/.test(a[1]!) ? s.incrBy(a[0]!, String(-BigInt(a[1]!))) : err(NOT_INTEGER)) },
  keys: { arity: 2, run: (s, a) => r(s.keysMatching(a[0]!)) },
  expire: { arity: -3, run: (s, a) => r(s.expire(a[0]!, a[1]!)) },
  ttl: { arity: 2, run: (s, a) => r(s.ttl(a[0]!, 1000)) },
  pttl: { arity: 2, run: (s, a) => r(s.ttl(a[0]!, 1)) },
  dbsize: { arity: 1, run: (s) => r(s.size()) },
  flushall: { arity: -1, run: (s) => r(s.flush()) },
  flushdb: { arity: -1, run: (s) => r(s.flush()) },
  select: { arity: 2, run: (_s, a) => r(a[0] === '0' ? ok : /^\d+$/.test(a[0]!) ? err('ERR DB index is out of range') : err(NOT_INTEGER)) },
  quit: { arity: -1, run: () => ({ reply: ok, quit: true }) },
  command: { arity: -1, run: () => r({ t: 'array', v: [] }) },
  client: { arity: -2, run: () => r(ok) },
  info: { arity: -1, run: () => r(bulk('# Server\r\nredis_version:7.4.1\r\nredis_mode:standalone\r\nos:Linux\r\ntcp_port:6379\r\n')) },
};
