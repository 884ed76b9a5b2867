// Process and system utilities: sleep, true, false, hostname, env, printenv, date, whoami, id,
// uname.

import { release } from 'node:os';
import { childProc, EXIT_NOT_FOUND, type Program } from '../../process.js';
import { fail, isBusybox } from './common.js';

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** sleep N[smhd]…, fractions allowed, `inf`/`infinity` forever (in the container's clock). */
export const sleep: Program = async (proc) => {
  const args = proc.argv.slice(1);
  if (args.length === 0) return fail(proc, isBusybox(proc) ? 'usage: sleep [N]...' : 'missing operand');
  let seconds = 0;
  for (const a of args) {
    if (/^inf(inity)?$/i.test(a)) {
      seconds = Infinity;
      continue;
    }
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) return fail(proc, isBusybox(proc) ? `invalid number '${a}'` : `invalid time interval '${a}'\nTry 'sleep --help' for more information.`);
    seconds += Number(m[1]) * UNITS[m[2]!]!;
  }
  await proc.sys.sleep(seconds * 1000);
  return 0;
};

export const trueProgram: Program = async () => 0;
export const falseProgram: Program = async () => 1;

export const hostname: Program = async (proc) => {
  const flag = proc.argv[1];
  if (flag === '-i') proc.out(`${proc.sys.identity.addresses.join(' ')}\n`);
  else if (flag === undefined || flag === '-s' || flag === '-f') proc.out(`${proc.sys.identity.hostname}\n`);
  else return fail(proc, `you must be root to change the host name`);
  return 0;
};

/** env [-i] [NAME=VALUE]… [COMMAND [ARG]…] */
export const env: Program = async (proc) => {
  const args = proc.argv.slice(1);
  const vars = new Map(proc.env);
  if (args[0] === '-i' || args[0] === '-') {
    args.shift();
    vars.clear();
  }
  while (args.length && /^[^=]+=/.test(args[0]!)) {
    const a = args.shift()!;
    const eq = a.indexOf('=');
    vars.set(a.slice(0, eq), a.slice(eq + 1));
  }
  if (args.length === 0) {
    proc.out([...vars].map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  const program = proc.sys.image.lookup(args[0]!);
  if (!program) return fail(proc, isBusybox(proc) ? `can't execute '${args[0]}': No such file or directory` : `'${args[0]}': No such file or directory`, EXIT_NOT_FOUND);
  return program(childProc(proc, args, { stdin: proc.stdin, env: vars }));
};

export const printenv: Program = async (proc) => {
  const names = proc.argv.slice(1);
  if (names.length === 0) {
    proc.out([...proc.env].map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  let status = 0;
  for (const n of names) {
    const v = proc.env.get(n);
    if (v === undefined) status = 1;
    else proc.out(`${v}\n`);
  }
  return status;
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime for the formats scripts use; the container's zone is UTC. */
export function strftime(format: string, ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const map: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()),
    y: () => p2(d.getUTCFullYear() % 100),
    m: () => p2(d.getUTCMonth() + 1),
    d: () => p2(d.getUTCDate()),
    e: () => String(d.getUTCDate()).padStart(2),
    H: () => p2(d.getUTCHours()),
    M: () => p2(d.getUTCMinutes()),
    S: () => p2(d.getUTCSeconds()),
    N: () => `${String(d.getUTCMilliseconds()).padStart(3, '0')}000000`,
    s: () => String(Math.floor(ms / 1000)),
    a: () => DAYS[d.getUTCDay()]!,
    A: () => ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()]!,
    b: () => MONTHS[d.getUTCMonth()]!,
    h: () => MONTHS[d.getUTCMonth()]!,
    j: () => String(Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0'),
    Z: () => 'UTC',
    z: () => '+0000',
    T: () => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
    F: () => `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`,
    D: () => `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCFullYear() % 100)}`,
    R: () => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`,
    n: () => '\n',
    t: () => '\t',
    '%': () => '%',
  };
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => (map[c] ? map[c]() : m));
}

export const date: Program = async (proc) => {
  const fmt = proc.argv.slice(1).find((a) => a.startsWith('+'));
  const iso = proc.argv.slice(1).find((a) => a.startsWith('-I'));
  const now = proc.sys.now();
  if (fmt) proc.out(`${strftime(fmt.slice(1), now)}\n`);
  else if (iso) proc.out(`${strftime(iso === '-Iseconds' ? '%Y-%m-%dT%H:%M:%S+00:00' : '%Y-%m-%d', now)}\n`);
  else proc.out(`${strftime('%a %b %e %H:%M:%S UTC %Y', now)}\n`);
  return 0;
};

function userName(proc: Parameters<Program>[0]): string {
  const u = proc.sys.identity.user.split(':')[0] ?? '';
  return u === '' || u === '0' ? 'root' : u;
}

export const whoami: Program = async (proc) => {
  proc.out(`${userName(proc)}\n`);
  return 0;
};

export const id: Program = async (proc) => {
  const [user = '', group] = proc.sys.identity.user.split(':');
  const uid = user === '' || user === 'root' ? '0' : /^\d+$/.test(user) ? user : '1000';
  const gid = group !== undefined ? (/^\d+$/.test(group) ? group : '1000') : uid;
  const name = (n: string) => (n === '0' ? '(root)' : user && !/^\d+$/.test(user) ? `(${user})` : '');
  const groups = uid === '0' && isBusybox(proc) ? 'groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)' : `groups=${gid}${name(gid)}`;
  proc.out(`uid=${uid}${name(uid)} gid=${gid}${name(gid)} ${groups}\n`);
  return 0;
};

export const uname: Program = async (proc) => {
  const flags = new Set(proc.argv.slice(1).join('').replace(/-/g, ''));
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const fields: [string, string][] = [
    ['s', 'Linux'],
    ['n', proc.sys.identity.hostname],
    ['r', release()],
    ['v', '#1 SMP'],
    ['m', arch],
  ];
  const pick = flags.has('a') ? fields : fields.filter(([f]) => flags.has(f));
  proc.out(`${(pick.length ? pick : [fields[0]!]).map(([, v]) => v).join(' ')}${flags.has('a') ? ' GNU/Linux' : ''}\n`);
  return 0;
};
