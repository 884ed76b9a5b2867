import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExecSessions } from '../src/engine/exec-sessions.js';
import { humanDuration } from '../src/engine/routes-containers.js';
import type { Container, ExecOptions } from '../src/agent/exec/index.js';

/** A running container whose exec records what it ran and answers `echo` and `cd … && pwd`. */
function fakeContainer(ran: { cmd: string[]; dir?: string }[]): Container {
  return {
    id: 'c'.repeat(64),
    status: () => ({ id: 'c'.repeat(64), state: 'running', pid: 7 }),
    exec: async (cmd: string[], opts: ExecOptions = {}) => {
      ran.push({ cmd, dir: opts.dir });
      const script = cmd[2] ?? '';
      const echo = /^echo (.*)$/.exec(script);
      if (echo) opts.onOutput?.('stdout', `${echo[1]}\n`);
      const cd = /^cd (\S+) && pwd$/.exec(script);
      if (cd) return cd[1] === '/nowhere' ? { exitCode: 2, stdout: '', stderr: "sh: cd: can't cd to /nowhere\n" } : { exitCode: 0, stdout: `${cd[1]}\n`, stderr: '' };
      return { exitCode: 0, stdout: echo ? `${echo[1]}\n` : '', stderr: '' };
    },
  } as unknown as Container;
}

/** The client's end of a hijacked connection: what it types is pushed, what it is sent is kept. */
function terminal() {
  let output = '';
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  return { socket, type: (text: string) => socket.push(text), output: () => output };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('docker exec -it CONTAINER sh', () => {
  it('prompts, echoes what is typed, runs each line, follows cd, and ends with exit N', async () => {
    const ran: { cmd: string[]; dir?: string }[] = [];
    const execs = new ExecSessions();
    const session = execs.start(execs.create(fakeContainer(ran), { Cmd: ['sh'], Tty: true, AttachStdin: true }).id);
    const t = terminal();
    const done = execs.interactive(session, t.socket);
    t.type('echo hx\x7fi\r');
    await until(() => t.output().endsWith('hi\r\n/ # '));
    expect(t.output()).toBe('/ # echo hx\b \bi\r\nhi\r\n/ # ');
    t.type('cd /etc\rcd /nowhere\recho there\r');
    await until(() => t.output().endsWith('there\r\n/etc # '));
    expect(t.output()).toContain("sh: cd: can't cd to /nowhere\r\n/etc # ");
    expect(ran.at(-1)).toEqual({ cmd: ['sh', '-c', 'echo there'], dir: '/etc' });
    t.type('half a line\x03exit 3\r');
    await done;
    expect(t.output()).toContain('half a line^C\r\n/etc # exit 3\r\n');
    expect(execs.inspect(session)).toMatchObject({ ExitCode: 3, Running: false });
    expect(ran.map((r) => r.cmd[2])).toEqual(['echo hi', 'cd /etc && pwd', 'cd /nowhere && pwd', 'echo there']);
  });

  it('ends with exit code 0 on ^D at an empty prompt', async () => {
    const execs = new ExecSessions();
    const session = execs.start(execs.create(fakeContainer([]), { Cmd: ['/bin/sh'], Tty: true, AttachStdin: true }).id);
    const t = terminal();
    const done = execs.interactive(session, t.socket);
    t.type('\x04');
    await done;
    expect(execs.inspect(session).ExitCode).toBe(0);
  });

  it('refuses a command that is empty, an exec that is not there, and a second start', () => {
    const execs = new ExecSessions();
    expect(() => execs.create(fakeContainer([]), { Cmd: [] })).toThrow('No exec command specified');
    expect(() => execs.get('nope')).toThrow('No such exec instance: nope');
    const once = execs.create(fakeContainer([]), { Cmd: ['true'] });
    execs.start(once.id);
    expect(() => execs.start(once.id)).toThrow(`Error: Exec command ${once.id} has already run`);
  });
});

describe('how long a container has been up, as docker ps says it', () => {
  it('follows go-units', () => {
    expect([0.5, 1, 42, 60, 150, 3600, 7200, 3 * 86400, 20 * 86400].map((s) => humanDuration(s * 1000))).toEqual([
      'Less than a second',
      '1 second',
      '42 seconds',
      'About a minute',
      '2 minutes',
      'About an hour',
      '2 hours',
      '3 days',
      '2 weeks',
    ]);
  });
});
