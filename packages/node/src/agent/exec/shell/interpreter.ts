// Runs a parsed script the way busybox ash / dash do: variables and exported environment,
// $? and positional parameters, pipelines (each stage in a subshell; data passed buffered),
// redirections into the container's files, background jobs, traps, set -e / -x, and commands
// found among the image's programs ("sh: foo: not found", 127, otherwise).

import { childProc, emptyStdin, isKilled, ProcessKilled, StdinBuffer, EXIT_NOT_FOUND, type Proc, type Signal, type Stdin } from '../process.js';
import { ArithError, evalArith } from './arith.js';
import { expandPattern, expandString, expandWords, type ExpandHost } from './expand.js';
import { ShellSyntaxError } from './lexer.js';
import { parseScript, type AndOr, type Command, type List, type Pipeline } from './parser.js';
import { matchPattern } from './pattern.js';
import { BUILTINS } from './builtins.js';
import { globPaths } from './glob.js';
import { applyRedirects } from './redirect.js';

export type Dialect = 'ash' | 'dash' | 'bash';

export interface Io {
  stdin: Stdin;
  out: (t: string) => void;
  err: (t: string) => void;
}

/** `exit`: unwinds to the shell's top. */
export class ExitShell {
  constructor(readonly code: number) {}
}

/** `return [n]`: unwinds to the function call. */
export class ReturnFromFunction {
  constructor(readonly code: number) {}
}

/** `break n` / `continue n`. */
export class LoopControl {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {}
}

/** Commands between two forced yields to the event loop, so a busy loop cannot starve the node. */
const YIELD_EVERY = 256;

export class Shell {
  vars: Map<string, string>;
  exported: Set<string>;
  /** Defined functions: name → body. */
  functions: Map<string, Command>;
  /** One frame per function call running: the variables `local` saved (undefined: unset before). */
  readonly localFrames: Map<string, string | undefined>[] = [];
  positional: string[];
  status = 0;
  errexit = false;
  xtrace = false;
  /** Signal name (TERM, INT, EXIT …) → action; '' ignores the signal. */
  traps = new Map<string, string>();
  readonly background = new Set<Promise<unknown>>();
  lastBackgroundPid = 0;
  loopDepth = 0;
  private pendingSignals: string[] = [];
  private signalWaiters = new Set<() => void>();
  private commandsSinceYield = 0;
  /** Depth of `if`/`while` conditions and && || left sides, where set -e does not apply. */
  private conditionDepth = 0;

  constructor(
    readonly proc: Proc,
    readonly dialect: Dialect,
    public arg0: string,
    positional: string[],
    state?: { vars: Map<string, string>; exported: Set<string>; functions: Map<string, Command> },
  ) {
    this.positional = positional;
    this.functions = new Map(state?.functions);
    if (state) {
      this.vars = new Map(state.vars);
      this.exported = new Set(state.exported);
    } else {
      this.vars = new Map(proc.env);
      this.exported = new Set(proc.env.keys());
      if (!this.vars.has('PWD')) this.vars.set('PWD', proc.cwd);
      this.vars.set('PPID', '0');
    }
  }

  get cwd(): string {
    return this.proc.cwd;
  }

  set cwd(dir: string) {
    this.proc.cwd = dir;
    this.vars.set('PWD', dir);
  }

  /** "sh: 1: " (dash), "sh: " (ash), "bash: line 1: " (bash). */
  prefix(line = 1): string {
    switch (this.dialect) {
      case 'dash':
        return `${this.arg0}: ${line}: `;
      case 'bash':
        return `${this.arg0}: line ${line}: `;
      default:
        return `${this.arg0}: `;
    }
  }

  syntaxErrorMessage(e: ShellSyntaxError): string {
    if (this.dialect === 'dash') {
      return e.unexpected !== undefined
        ? `${this.arg0}: ${e.line}: Syntax error: ${e.unexpected === 'end of file' || e.unexpected === 'newline' ? e.unexpected : `"${e.unexpected}"`} unexpected\n`
        : `${this.arg0}: ${e.line}: Syntax error: ${e.detail[0]!.toUpperCase()}${e.detail.slice(1)}\n`;
    }
    if (this.dialect === 'bash') {
      return e.unexpected !== undefined
        ? `${this.arg0}: -c: line ${e.line}: syntax error near unexpected token \`${e.unexpected}'\n`
        : `${this.arg0}: -c: line ${e.line}: ${e.detail}\n`;
    }
    return e.unexpected !== undefined ? `${this.arg0}: syntax error: unexpected ${e.unexpected === 'end of file' || e.unexpected === 'newline' ? e.unexpected : `"${e.unexpected}"`}\n` : `${this.arg0}: syntax error: ${e.detail}\n`;
  }

  /** Parses and runs `src` as the whole script; returns the shell's exit status. */
  async runScript(src: string, io: Io): Promise<number> {
    let list: List;
    try {
      list = parseScript(src);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(this.syntaxErrorMessage(e));
      return 2;
    }
    let code: number;
    try {
      code = await this.runList(list, io);
    } catch (e) {
      if (e instanceof ExitShell) code = e.code;
      else if (e instanceof LoopControl) code = this.status;
      else throw e;
    }
    return this.runExitTrap(code, io);
  }

  /** Runs the EXIT trap once, as the shell ends with `code`; resolves with the final status. */
  async runExitTrap(code: number, io: Io): Promise<number> {
    const action = this.traps.get('EXIT');
    if (!action) return code;
    this.traps.delete('EXIT');
    this.status = code;
    try {
      await this.eval(action, io);
    } catch (e) {
      if (e instanceof ExitShell) return e.code;
      throw e;
    }
    return code;
  }

  async eval(src: string, io: Io): Promise<number> {
    let list: List;
    try {
      list = parseScript(src);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(this.syntaxErrorMessage(e));
      this.status = 2;
      return 2;
    }
    return this.runList(list, io);
  }

  /** A copy of this shell for ( … ), $( … ), pipeline stages and & jobs. */
  subshell(): Shell {
    const sub = new Shell({ ...this.proc, cwd: this.proc.cwd } as Proc, this.dialect, this.arg0, [...this.positional], this);
    sub.status = this.status;
    sub.errexit = this.errexit;
    sub.xtrace = this.xtrace;
    // Ignored signals stay ignored in subshells; other traps are reset.
    for (const [sig, action] of this.traps) if (action === '') sub.traps.set(sig, '');
    return sub;
  }

  // ---- signals ----------------------------------------------------------------------------

  /** A signal for this shell (PID 1): queued if trapped, otherwise ignored as init ignores it. */
  deliver(sig: Signal): void {
    const name = sig.replace(/^SIG/, '');
    const action = this.traps.get(name);
    if (action === undefined || action === '') return;
    this.pendingSignals.push(name);
    for (const w of [...this.signalWaiters]) w();
  }

  hasPendingSignal(): boolean {
    return this.pendingSignals.length > 0;
  }

  /** Resolves when a trapped signal arrives (wait and read return early then, as in sh). */
  signalArrived(): { promise: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const promise = new Promise<void>((resolve) => {
      const w = () => {
        this.signalWaiters.delete(w);
        resolve();
      };
      this.signalWaiters.add(w);
      cancel = () => this.signalWaiters.delete(w) as unknown as void;
    });
    return { promise, cancel };
  }

  private async runPendingTraps(io: Io): Promise<void> {
    while (this.pendingSignals.length > 0) {
      const name = this.pendingSignals.shift()!;
      const action = this.traps.get(name);
      if (!action) continue;
      const saved = this.status;
      await this.eval(action, io);
      this.status = saved;
    }
  }

  // ---- execution --------------------------------------------------------------------------

  async runList(list: List, io: Io): Promise<number> {
    for (const item of list.items) {
      if (item.background) {
        this.startBackground(item.andOr, io);
        this.status = 0;
      } else {
        await this.runAndOr(item.andOr, io);
      }
      await this.runPendingTraps(io);
    }
    return this.status;
  }

  private startBackground(andOr: AndOr, io: Io): void {
    const sub = this.subshell();
    const job = sub
      .runAndOr(andOr, { ...io, stdin: emptyStdin() })
      .catch((e: unknown) => {
        if (isKilled(e) || e instanceof ExitShell || e instanceof LoopControl) return;
        io.err(`${this.prefix()}${(e as Error).message}\n`);
      })
      .finally(() => this.background.delete(job));
    this.background.add(job);
    this.lastBackgroundPid = 100 + Math.floor(Math.random() * 30_000);
  }

  private async runAndOr(andOr: AndOr, io: Io): Promise<number> {
    const guarded = andOr.rest.length > 0;
    if (guarded) this.conditionDepth++;
    try {
      let status = await this.runPipeline(andOr.first, io);
      for (let k = 0; k < andOr.rest.length; k++) {
        const { op, pipeline } = andOr.rest[k]!;
        if ((op === '&&') !== (status === 0)) continue;
        // The last pipeline of an and-or list is subject to set -e again.
        if (k === andOr.rest.length - 1) this.conditionDepth--;
        try {
          status = await this.runPipeline(pipeline, io);
        } finally {
          if (k === andOr.rest.length - 1) this.conditionDepth++;
        }
      }
      return status;
    } finally {
      if (guarded) this.conditionDepth--;
    }
  }

  private async runPipeline(p: Pipeline, io: Io): Promise<number> {
    let status: number;
    if (p.negate) this.conditionDepth++;
    try {
      if (p.commands.length === 1) {
        status = await this.runCommand(p.commands[0]!, io);
      } else {
        // Each stage runs in a subshell; its whole output feeds the next stage.
        let stdin = io.stdin;
        status = 0;
        for (let k = 0; k < p.commands.length; k++) {
          const last = k === p.commands.length - 1;
          let captured = '';
          const stageIo: Io = { stdin, out: last ? io.out : (t) => (captured += t), err: io.err };
          const sub = this.subshell();
          try {
            status = await sub.runCommand(p.commands[k]!, stageIo);
          } catch (e) {
            if (e instanceof ExitShell) status = e.code;
            else throw e;
          }
          stdin = new StdinBuffer(captured);
        }
      }
    } finally {
      if (p.negate) this.conditionDepth--;
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    this.status = status;
    if (status !== 0 && this.errexit && this.conditionDepth === 0 && !p.negate) throw new ExitShell(status);
    return status;
  }

  async runCommand(cmd: Command, io: Io): Promise<number> {
    await this.checkpoint();
    const redirected = await applyRedirects(this, cmd.redirects, io, cmd.type === 'simple' ? cmd.line : 1);
    if (!redirected) {
      this.status = 1;
      return 1;
    }
    try {
      this.status = await this.dispatch(cmd, redirected.io);
      return this.status;
    } finally {
      await redirected.flush();
    }
  }

  /** Gives the event loop a turn now and then, and stops at once when the container is killed. */
  private async checkpoint(): Promise<void> {
    if (this.proc.sys.killed) throw new ProcessKilled();
    if (++this.commandsSinceYield >= YIELD_EVERY) {
      this.commandsSinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
  }

  private async dispatch(cmd: Command, io: Io): Promise<number> {
    switch (cmd.type) {
      case 'simple':
        return this.runSimple(cmd, io);
      case 'brace':
        return this.runList(cmd.body, io);
      case 'function':
        this.functions.set(cmd.name, cmd.body);
        return 0;
      case 'subshell': {
        const sub = this.subshell();
        try {
          return await sub.runList(cmd.body, io);
        } catch (e) {
          if (e instanceof ExitShell) return e.code;
          throw e;
        }
      }
      case 'if': {
        for (const clause of cmd.clauses) {
          if ((await this.runCondition(clause.cond, io)) === 0) return this.runList(clause.body, io);
        }
        return cmd.elseBody ? this.runList(cmd.elseBody, io) : 0;
      }
      case 'while':
      case 'until':
        return this.runLoop(cmd.type, cmd.cond, cmd.body, io);
      case 'for': {
        const items = cmd.items ? await expandWords(cmd.items, this.expandHost(io)) : [...this.positional];
        let status = 0;
        this.loopDepth++;
        try {
          for (const item of items) {
            this.vars.set(cmd.name, item);
            const pass = await this.loopPass(cmd.body, io);
            if (pass === 'break') break;
            if (pass !== 'continue') status = pass;
          }
        } finally {
          this.loopDepth--;
        }
        return status;
      }
      case 'case': {
        const host = this.expandHost(io);
        const subject = await expandString(cmd.subject, host);
        for (const arm of cmd.arms) {
          for (const p of arm.patterns) {
            if (matchPattern(await expandPattern(p, host), subject)) return this.runList(arm.body, io);
          }
        }
        return 0;
      }
    }
  }

  private async runCondition(cond: List, io: Io): Promise<number> {
    this.conditionDepth++;
    try {
      return await this.runList(cond, io);
    } finally {
      this.conditionDepth--;
    }
  }

  /** One pass of a loop body: its status, or how a `break`/`continue` meant for this loop ended it
   * (one meant for an outer loop goes on up, one level spent). */
  private async loopPass(body: List, io: Io): Promise<number | 'break' | 'continue'> {
    try {
      return await this.runList(body, io);
    } catch (e) {
      if (!(e instanceof LoopControl)) throw e;
      if (e.levels > 1) {
        e.levels--;
        throw e;
      }
      return e.kind;
    }
  }

  private async runLoop(kind: 'while' | 'until', cond: List, body: List, io: Io): Promise<number> {
    let status = 0;
    this.loopDepth++;
    try {
      for (;;) {
        const c = await this.runCondition(cond, io);
        if ((c === 0) !== (kind === 'while')) break;
        const pass = await this.loopPass(body, io);
        if (pass === 'break') break;
        if (pass !== 'continue') status = pass;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  /** Status of the last $( … ) in the current command (a bare assignment returns it). */
  private lastSubstStatus: number | undefined;

  private async runSimple(cmd: Extract<Command, { type: 'simple' }>, io: Io): Promise<number> {
    const host = this.expandHost(io, cmd.line);
    this.lastSubstStatus = undefined;
    const assigns: [string, string][] = [];
    for (const a of cmd.assigns) assigns.push([a.name, await expandString(a.value, host)]);
    const argv = await expandWords(cmd.words, host);
    if (this.xtrace) io.err(`+ ${[...assigns.map(([k, v]) => `${k}=${v}`), ...argv].join(' ')}\n`);

    if (argv.length === 0) {
      for (const [k, v] of assigns) this.vars.set(k, v);
      return this.lastSubstStatus ?? 0;
    }
    const name = argv[0]!;
    // Functions come before builtins; none may take a special builtin's name (parser.ts).
    const fn = this.functions.get(name);
    if (fn) {
      for (const [k, v] of assigns) this.vars.set(k, v);
      return this.callFunction(fn, argv, io);
    }
    const builtin = BUILTINS[name];
    if (builtin) {
      // Assignments before a builtin persist, as POSIX has it for the special builtins.
      for (const [k, v] of assigns) this.vars.set(k, v);
      return builtin(this, argv, io, cmd.line);
    }
    return this.runExternal(argv, io, assigns, cmd.line);
  }

  /** Runs a function's body with its arguments as $1…; `local` variables are restored after. */
  private async callFunction(body: Command, argv: string[], io: Io): Promise<number> {
    const saved = this.positional;
    this.positional = argv.slice(1);
    const frame = new Map<string, string | undefined>();
    this.localFrames.push(frame);
    try {
      return await this.runCommand(body, io);
    } catch (e) {
      if (e instanceof ReturnFromFunction) return e.code;
      throw e;
    } finally {
      this.localFrames.pop();
      for (const [k, v] of frame) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
      this.positional = saved;
    }
  }

  /** Runs a program of the image with the exported environment (plus `assigns`). */
  async runExternal(argv: string[], io: Io, assigns: [string, string][] = [], line = 1): Promise<number> {
    const name = argv[0]!;
    const program = this.proc.sys.image.lookup(name);
    if (!program) {
      io.err(`${this.prefix(line)}${name}: ${this.dialect === 'bash' ? 'command not found' : 'not found'}\n`);
      return EXIT_NOT_FOUND;
    }
    const env = this.environment();
    for (const [k, v] of assigns) env.set(k, v);
    const child = childProc(this.proc, argv, { stdin: io.stdin, out: io.out, err: io.err, env, cwd: this.cwd });
    try {
      return await program(child);
    } catch (e) {
      if (isKilled(e)) throw e;
      io.err(`${name}: ${(e as Error).message}\n`);
      return 1;
    }
  }

  environment(): Map<string, string> {
    const env = new Map<string, string>();
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) env.set(k, v);
    }
    return env;
  }

  expandHost(io: Io, line = 1): ExpandHost {
    return {
      // $RANDOM: ash's 0–32767 pseudo-random number, unless the script set it.
      getVar: (name) => (name === 'RANDOM' && !this.vars.has(name) ? String(Math.floor(Math.random() * 32768)) : this.vars.get(name)),
      setVar: (name, value) => void this.vars.set(name, value),
      special: (name) => this.special(name),
      commandSubst: async (src) => {
        const sub = this.subshell();
        let out = '';
        let code: number;
        try {
          code = await sub.eval(src, { stdin: io.stdin, out: (t) => (out += t), err: io.err });
        } catch (e) {
          if (e instanceof ExitShell) code = e.code;
          else throw e;
        }
        this.lastSubstStatus = code;
        this.status = code;
        return out;
      },
      arith: (src) => {
        try {
          return evalArith(src, { get: (n) => this.vars.get(n), set: (n, v) => void this.vars.set(n, v) });
        } catch (e) {
          if (!(e instanceof ArithError)) throw e;
          io.err(`${this.prefix(line)}${e.message}\n`);
          throw new ExitShell(2);
        }
      },
      glob: (pattern) => globPaths(this.proc.sys.fs, this.cwd, pattern),
      paramError: (name, message) => {
        io.err(`${this.prefix(line)}${name}: ${message}\n`);
        throw new ExitShell(this.dialect === 'dash' ? 2 : 1);
      },
    };
  }

  special(name: string): string | string[] | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return '1';
      case '!':
        return this.lastBackgroundPid ? String(this.lastBackgroundPid) : '';
      case '#':
        return String(this.positional.length);
      case '-':
        return `${this.errexit ? 'e' : ''}${this.xtrace ? 'x' : ''}`;
      case '@':
      case '*':
        return this.positional;
      case '0':
        return this.arg0;
      default:
        return /^\d$/.test(name) ? this.positional[Number(name) - 1] : undefined;
    }
  }
}
