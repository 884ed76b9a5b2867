// An interactive shell (`docker exec -it CONTAINER sh`): one shell whose variables, functions,
// traps, options and directory last from one typed line to the next, with its dialect's prompt.

import { isKilled, type Proc } from '../process.js';
import { ExitShell, LoopControl, Shell, type Dialect } from './interpreter.js';

export class InteractiveShell {
  private readonly shell: Shell;

  constructor(
    private readonly proc: Proc,
    dialect: Dialect,
    arg0: string,
    private readonly hostname: string,
  ) {
    this.shell = new Shell(proc, dialect, arg0, []);
  }

  /** What the shell shows before each line, as root sees it: ash "/tmp # ", dash "# ", bash "root@c0ffee:/tmp# ". */
  prompt(): string {
    const cwd = this.shell.cwd;
    if (this.shell.dialect === 'dash') return '# ';
    if (this.shell.dialect === 'bash') return `root@${this.hostname}:${cwd === this.shell.vars.get('HOME') ? '~' : cwd}# `;
    return `${cwd} # `;
  }

  /** The session ends without `exit` (^D, the client went away): the EXIT trap still runs. */
  end(write: (text: string) => void): Promise<number> {
    return this.shell.runExitTrap(this.shell.status, { stdin: this.proc.stdin, out: write, err: write });
  }

  /** Runs one typed line; resolves with the exit status once the shell exits (`exit`), else undefined. */
  async runLine(line: string, write: (text: string) => void): Promise<number | undefined> {
    const io = { stdin: this.proc.stdin, out: write, err: write };
    try {
      this.shell.status = await this.shell.eval(line, io);
      return undefined;
    } catch (e) {
      if (e instanceof LoopControl) return undefined;
      if (e instanceof ExitShell) return await this.shell.runExitTrap(e.code, io);
      if (isKilled(e)) throw e;
      write(`${this.shell.arg0}: ${(e as Error).message}\n`);
      return undefined;
    }
  }
}
