// The terminal end of an attached TTY: the client's terminal is raw while it attaches, so this end
// is the line discipline. It echoes, erases on backspace, drops the line on ^C, runs each line in
// the shell and ends the shell on ^D (or its `exit`). Used by `docker exec -it CONTAINER sh` and
// by `docker run -it IMAGE sh`, whose PID 1 the shell is.

import type { Duplex } from 'node:stream';
import type { InteractiveShell } from '../agent/exec/index.js';

/** Runs the shell from what `socket` types until it ends; resolves with its exit status. */
export function runTerminal(sh: InteractiveShell, socket: Duplex, write: (text: string) => void): Promise<number> {
  let line = '';
  let busy = false;
  const prompt = () => write(sh.prompt());
  prompt();
  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      socket.off('data', onData);
      resolve(code);
    };
    const endShell = () => void sh.end(write).then(finish, () => finish(1));
    // What is typed while a line runs waits its turn, as type-ahead does.
    let pending = '';
    const pump = () => {
      while (!busy && pending.length > 0) {
        const ch = pending[0]!;
        pending = pending.slice(1);
        if (ch === '\x04' && line === '') return endShell();
        if (ch === '\x03') {
          line = '';
          write('^C\n');
          prompt();
        } else if (ch === '\x7f' || ch === '\b') {
          if (line.length > 0) {
            line = line.slice(0, -1);
            write('\b \b');
          }
        } else if (ch === '\r' || ch === '\n') {
          write('\n');
          const text = line;
          line = '';
          if (text.trim() === '') {
            prompt();
            continue;
          }
          busy = true;
          void sh.runLine(text, write).then(
            (exited) => {
              busy = false;
              if (exited !== undefined) return finish(exited);
              prompt();
              pump();
            },
            () => finish(137),
          );
        } else if (ch >= ' ') {
          line += ch;
          write(ch);
        }
      }
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      pump();
    };
    socket.on('data', onData);
    socket.once('end', endShell);
    socket.once('close', endShell);
  });
}
