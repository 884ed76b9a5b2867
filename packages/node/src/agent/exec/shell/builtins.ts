// Shell builtins: the commands that act on the shell itself (cd, exit, export, set, trap, wait,
// read, exec …). Everything else (echo, sleep, cat …) is a program of the image.

import { EXIT_NOT_FOUND, SIGNAL_NUMBERS, type Proc } from '../process.js';
import { errnoMessage } from '../rootfs.js';
import { ExitShell, LoopControl, ReturnFromFunction, type Io, type Shell } from './interpreter.js';

export type Builtin = (sh: Shell, argv: string[], io: Io, line: number) => Promise<number>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function illegalNumber(sh: Shell, io: Io, line: number, cmd: string, arg: string): number {
  io.err(`${sh.prefix(line)}${cmd}: Illegal number: ${arg}\n`);
  return 2;
}

/** TERM, SIGTERM, 15 → TERM; EXIT, 0 → EXIT. */
function signalName(spec: string): string | undefined {
  const upper = spec.toUpperCase().replace(/^SIG/, '');
  if (upper === 'EXIT' || spec === '0') return 'EXIT';
  if (/^\d+$/.test(spec)) {
    const entry = Object.entries(SIGNAL_NUMBERS).find(([, n]) => n === Number(spec));
    return entry ? entry[0].replace(/^SIG/, '') : undefined;
  }
  return ['HUP', 'INT', 'QUIT', 'TERM', 'WINCH', 'USR1', 'USR2', 'KILL', 'ALRM', 'CHLD', 'PIPE'].includes(upper) ? upper : undefined;
}

export const BUILTINS: Record<string, Builtin> = {
  ':': async () => 0,

  exit: async (sh, argv, io, line) => {
    const arg = argv[1];
    if (arg === undefined) throw new ExitShell(sh.status);
    if (!/^\d+$/.test(arg)) {
      illegalNumber(sh, io, line, 'exit', arg);
      throw new ExitShell(2);
    }
    throw new ExitShell(Number(arg) & 0xff);
  },

  /** Outside a function it ends the script, as exit would. */
  return: async (sh, argv, io, line) => {
    const arg = argv[1];
    let code = sh.status;
    if (arg !== undefined) {
      if (!/^\d+$/.test(arg)) return illegalNumber(sh, io, line, 'return', arg);
      code = Number(arg) & 0xff;
    }
    if (sh.localFrames.length === 0) throw new ExitShell(code);
    throw new ReturnFromFunction(code);
  },

  local: async (sh, argv, io, line) => {
    // busybox words it "sh: local: line N: …", counting -c scripts' lines from 0.
    const where = sh.dialect === 'ash' ? `${sh.prefix(line)}local: line ${line - 1}: ` : `${sh.prefix(line)}local: `;
    const frame = sh.localFrames.at(-1);
    if (!frame) {
      io.err(`${where}not in a function\n`);
      return 2;
    }
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a : a.slice(0, eq);
      if (!NAME.test(name)) {
        io.err(`${where}${name}: bad variable name\n`);
        return 2;
      }
      if (!frame.has(name)) frame.set(name, sh.vars.get(name));
      if (eq !== -1) sh.vars.set(name, a.slice(eq + 1));
    }
    return 0;
  },

  cd: async (sh, argv, io, line) => {
    const target = argv[1] === '-' ? (sh.vars.get('OLDPWD') ?? sh.cwd) : (argv[1] ?? sh.vars.get('HOME') ?? '/');
    const fs = sh.proc.sys.fs;
    const dir = fs.containerPath(target, sh.cwd);
    try {
      if (!(await fs.stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (e) {
      io.err(sh.dialect === 'ash' ? `${sh.prefix(line)}cd: can't cd to ${target}: ${errnoMessage(e)}\n` : `${sh.prefix(line)}cd: can't cd to ${target}\n`);
      return sh.dialect === 'ash' ? 1 : 2;
    }
    sh.vars.set('OLDPWD', sh.cwd);
    sh.cwd = dir;
    return 0;
  },

  export: async (sh, argv) => declare(sh, argv, true),
  readonly: async (sh, argv) => declare(sh, argv, false),

  unset: async (sh, argv) => {
    for (const name of argv.slice(1)) {
      if (name === '-v' || name === '-f') continue;
      sh.vars.delete(name);
      sh.exported.delete(name);
    }
    return 0;
  },

  set: async (sh, argv, io) => {
    if (argv.length === 1) {
      for (const [k, v] of [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1))) io.out(`${k}='${v.replace(/'/g, `'"'"'`)}'\n`);
      return 0;
    }
    for (let k = 1; k < argv.length; k++) {
      const a = argv[k]!;
      if (a === '--') {
        sh.positional = argv.slice(k + 1);
        return 0;
      }
      if (a === '-o' || a === '+o') {
        const opt = argv[++k];
        if (opt === 'errexit') sh.errexit = a === '-o';
        if (opt === 'xtrace') sh.xtrace = a === '-o';
        continue;
      }
      if (/^[-+][a-zA-Z]+$/.test(a)) {
        const on = a[0] === '-';
        for (const f of a.slice(1)) {
          if (f === 'e') sh.errexit = on;
          if (f === 'x') sh.xtrace = on;
        }
        continue;
      }
      sh.positional = argv.slice(k);
      return 0;
    }
    return 0;
  },

  shift: async (sh, argv, io, line) => {
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(n) || n < 0) return illegalNumber(sh, io, line, 'shift', argv[1]!);
    if (n > sh.positional.length) {
      io.err(`${sh.prefix(line)}shift: can't shift that many\n`);
      return sh.dialect === 'ash' ? 1 : 2;
    }
    sh.positional = sh.positional.slice(n);
    return 0;
  },

  break: async (sh, argv) => loopControl(sh, 'break', argv),
  continue: async (sh, argv) => loopControl(sh, 'continue', argv),

  eval: async (sh, argv, io) => sh.eval(argv.slice(1).join(' '), io),

  '.': async (sh, argv, io, line) => source(sh, argv, io, line),
  source: async (sh, argv, io, line) => source(sh, argv, io, line),

  exec: async (sh, argv, io, line) => {
    if (argv.length === 1) return 0;
    const program = sh.proc.sys.image.lookup(argv[1]!);
    if (!program) {
      io.err(`${sh.prefix(line)}exec: ${argv[1]}: not found\n`);
      throw new ExitShell(EXIT_NOT_FOUND);
    }
    // The program replaces the shell: same process (PID 1 stays PID 1), the shell's traps go.
    sh.proc.onSignal(undefined);
    const replaced: Proc = { ...sh.proc, argv: argv.slice(1), env: sh.environment(), stdin: io.stdin, out: io.out, err: io.err, cwd: sh.cwd };
    throw new ExitShell(await program(replaced));
  },

  wait: async (sh) => {
    if (sh.background.size === 0) return 0;
    const signal = sh.signalArrived();
    try {
      const interrupted = await Promise.race([Promise.allSettled([...sh.background]).then(() => false), signal.promise.then(() => true)]);
      return interrupted ? 128 + 15 : 0;
    } finally {
      signal.cancel();
    }
  },

  trap: async (sh, argv, io, line) => {
    if (argv.length === 1) {
      for (const [sig, action] of sh.traps) io.out(`trap -- '${action.replace(/'/g, `'"'"'`)}' ${sig}\n`);
      return 0;
    }
    const reset = argv[1] === '-' || /^\d+$/.test(argv[1]!);
    const action = reset ? undefined : argv[1]!;
    const specs = reset && argv[1] !== '-' ? argv.slice(1) : argv.slice(2);
    for (const spec of specs) {
      const name = signalName(spec);
      if (!name) {
        io.err(`${sh.prefix(line)}trap: ${spec}: bad trap\n`);
        return 1;
      }
      if (action === undefined) sh.traps.delete(name);
      else sh.traps.set(name, action);
    }
    return 0;
  },

  read: async (sh, argv, io) => {
    const names: string[] = [];
    let raw = false;
    for (let k = 1; k < argv.length; k++) {
      const a = argv[k]!;
      if (a === '-r') raw = true;
      else if (a === '-p') io.err(argv[++k] ?? '');
      else names.push(a);
    }
    if (names.length === 0) names.push('REPLY');
    if (io.stdin === 'tty') {
      const signal = sh.signalArrived();
      try {
        await Promise.race([sh.proc.sys.untilKilled(), signal.promise]);
      } finally {
        signal.cancel();
      }
      return 128 + 15;
    }
    let line = io.stdin.readLine();
    if (line === undefined) {
      for (const n of names) sh.vars.set(n, '');
      return 1;
    }
    if (!raw) line = line.replace(/\\(.)/g, '$1');
    const fields = line.trim().split(/[ \t]+/);
    names.forEach((n, idx) => {
      const value = idx === names.length - 1 ? fields.slice(idx).join(' ') : (fields[idx] ?? '');
      sh.vars.set(n, value);
    });
    return 0;
  },

  command: async (sh, argv, io, line) => {
    if (argv[1] === '-v' || argv[1] === '-V') {
      let status = 0;
      for (const name of argv.slice(2)) {
        if (BUILTINS[name] || sh.functions.has(name)) io.out(argv[1] === '-v' ? `${name}\n` : `${name} is a ${sh.functions.has(name) ? 'shell function' : 'shell builtin'}\n`);
        else if (sh.proc.sys.image.lookup(name)) io.out(argv[1] === '-v' ? `${sh.proc.sys.image.pathOf(name)}\n` : `${name} is ${sh.proc.sys.image.pathOf(name)}\n`);
        else status = 1;
      }
      return status;
    }
    if (argv.length === 1) return 0;
    const rest = argv.slice(1);
    const builtin = BUILTINS[rest[0]!];
    return builtin ? builtin(sh, rest, io, line) : sh.runExternal(rest, io, [], line);
  },

  type: async (sh, argv, io) => {
    let status = 0;
    for (const name of argv.slice(1)) {
      if (sh.functions.has(name)) io.out(`${name} is a ${sh.dialect === 'ash' ? 'function' : 'shell function'}\n`);
      else if (BUILTINS[name]) io.out(`${name} is a shell builtin\n`);
      else if (sh.proc.sys.image.lookup(name)) io.out(`${name} is ${sh.proc.sys.image.pathOf(name)}\n`);
      else {
        io.out(`${name}: not found\n`);
        status = 127;
      }
    }
    return status;
  },
};

function declare(sh: Shell, argv: string[], exported: boolean): number {
  for (const a of argv.slice(1)) {
    if (a === '-p') {
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a : a.slice(0, eq);
    if (!NAME.test(name)) continue;
    if (eq !== -1) sh.vars.set(name, a.slice(eq + 1));
    if (exported) sh.exported.add(name);
  }
  return 0;
}

function loopControl(sh: Shell, kind: 'break' | 'continue', argv: string[]): number {
  if (sh.loopDepth === 0) return 0;
  const n = argv[1] === undefined ? 1 : Math.max(1, Number(argv[1]) || 1);
  throw new LoopControl(kind, Math.min(n, sh.loopDepth));
}

async function source(sh: Shell, argv: string[], io: Io, line: number): Promise<number> {
  const file = argv[1];
  if (!file) return 0;
  let text: string;
  try {
    text = (await sh.proc.sys.fs.readFile(file, sh.cwd)).toString('utf8');
  } catch (e) {
    io.err(`${sh.prefix(line)}.: ${file}: ${sh.dialect === 'ash' ? errnoMessage(e) : 'not found'}\n`);
    throw new ExitShell(sh.dialect === 'ash' ? 1 : 2);
  }
  return sh.eval(text, io);
}

