// The `sh` program: `sh -c 'script' [$0 [args…]]`, `sh file [args…]`, or a script on stdin.
// With no script and a terminal (--tty), it waits at its prompt as an interactive shell would.

import { isKilled, readAllStdin, type Program } from '../process.js';
import { errnoMessage } from '../rootfs.js';
import { Shell, type Dialect } from './interpreter.js';

export function shellProgram(dialect: Dialect): Program {
  return async (proc) => {
    const args = proc.argv.slice(1);
    const name = proc.argv[0] ?? 'sh';
    let fromString = false;
    let errexit = false;
    let xtrace = false;
    while (args.length > 0 && /^[-+][a-zA-Z]+$/.test(args[0]!)) {
      const flags = args.shift()!;
      for (const f of flags.slice(1)) {
        if (f === 'c') fromString = true;
        if (f === 'e') errexit = flags[0] === '-';
        if (f === 'x') xtrace = flags[0] === '-';
      }
    }
    if (args[0] === '--' || args[0] === '-') args.shift();

    let script: string;
    let arg0 = name;
    if (fromString) {
      if (args.length === 0) {
        proc.err(dialect === 'dash' ? `${name}: 0: -c requires an argument\n` : `${name}: -c: option requires an argument\n`);
        return 2;
      }
      script = args.shift()!;
      if (args.length > 0) arg0 = args.shift()!;
    } else if (args.length > 0) {
      const file = args.shift()!;
      arg0 = file;
      try {
        script = (await proc.sys.fs.readFile(file, proc.cwd)).toString('utf8');
      } catch (e) {
        proc.err(dialect === 'dash' ? `${name}: 0: cannot open ${file}: No such file\n` : `${name}: can't open '${file}': ${errnoMessage(e)}\n`);
        return 127;
      }
    } else if (proc.stdin === 'tty') {
      // An interactive shell on a terminal nobody types into: it waits (and, as PID 1, ignores
      // docker stop's SIGTERM until the SIGKILL).
      await proc.sys.untilKilled();
      return 0;
    } else {
      script = await readAllStdin(proc);
    }

    const shell = new Shell(proc, dialect, arg0, args);
    shell.errexit = errexit;
    shell.xtrace = xtrace;
    proc.onSignal((sig) => shell.deliver(sig));
    try {
      return await shell.runScript(script, { stdin: proc.stdin, out: (t) => proc.out(t), err: (t) => proc.err(t) });
    } catch (e) {
      if (isKilled(e)) throw e;
      proc.err(`${name}: ${(e as Error).message}\n`);
      return 2;
    }
  };
}
