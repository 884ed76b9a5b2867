import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExecSessions } from '../src/engine/exec-sessions.js';
import { humanDuration } from '../src/engine/routes-containers.js';
import type { Container, EngineEvent } from '../src/agent/exec/index.js';
import { useRuntime } from './exec-helpers.js';

const t = useRuntime(130);

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

/** `docker exec -it CONTAINER <shell>` on a real emulated container, attached to a fake terminal. */
function attach(container: Container, shell = 'sh') {
  const execs = new ExecSessions();
  const session = execs.start(execs.create(container, { Cmd: [shell], Tty: true, AttachStdin: true }).id);
  const term = terminal();
  const done = execs.interactive(session, term.socket);
  return { ...term, done, exitCode: () => execs.inspect(session).ExitCode, running: () => execs.inspect(session).Running };
}

describe('docker exec -it CONTAINER sh', () => {
  it('prompts, echoes what is typed, and keeps the shell from line to line: variables, parameters, $?, cd; exit N ends it', async () => {
    const c = await t.run('busybox', ['sleep', '1000']);
    const term = attach(c);
    term.type('echo hx\x7fi\r');
    await until(() => term.output().endsWith('hi\r\n/ # '));
    expect(term.output()).toBe('/ # echo hx\b \bi\r\nhi\r\n/ # ');
    term.type('X=5; set -- one two\r');
    term.type('echo "x=$X $2"; false\r');
    term.type('echo "status $?"\r');
    await until(() => term.output().endsWith('status 1\r\n/ # '));
    expect(term.output()).toContain('x=5 two\r\n');
    term.type('cd /etc\rcd /nowhere\rpwd\r');
    await until(() => term.output().endsWith('/etc\r\n/etc # '));
    expect(term.output()).toContain("sh: cd: can't cd to /nowhere: No such file or directory\r\n/etc # ");
    term.type('half a line\x03exit 3\r');
    await term.done;
    expect(term.output()).toContain('half a line^C\r\n/etc # exit 3\r\n');
    expect(term.exitCode()).toBe(3);
    expect(term.running()).toBe(false);
  });

  it('ends on ^D at an empty prompt with the last status, running the EXIT trap', async () => {
    const c = await t.run('alpine', ['sleep', '1000']);
    const term = attach(c, '/bin/sh');
    term.type("trap 'echo bye' EXIT\rfalse\r");
    await until(() => term.output().split('/ # ').length === 4);
    term.type('\x04');
    await term.done;
    expect(term.output().endsWith('bye\r\n')).toBe(true);
    expect(term.exitCode()).toBe(1);
  });

  it('prompts as each shell does: dash "# ", bash "root@HOST:DIR# "', async () => {
    const c = await t.run('nginx');
    const dash = attach(c);
    await until(() => dash.output() === '# ');
    dash.type('exit\r');
    await dash.done;
    const bash = attach(c, 'bash');
    await until(() => bash.output() === `root@${c.hostname}:/# `);
    bash.type('cd /tmp\r');
    await until(() => bash.output().endsWith(`root@${c.hostname}:/tmp# `));
    bash.type('\x04');
    await bash.done;
  });

  it('answers a shell the image does not have as the runtime does', async () => {
    const c = await t.run('busybox', ['sleep', '1000']);
    const term = attach(c, 'bash');
    await term.done;
    expect(term.output()).toBe('OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown\r\n');
    expect(term.exitCode()).toBe(127);
  });

  it('tells docker events of each exec: created and started with its command, then dead with its exit code', async () => {
    const c = await t.run('busybox', ['sleep', '1000']);
    const events: EngineEvent[] = [];
    const execs = new ExecSessions((ev) => events.push(ev));
    const s = execs.start(execs.create(c, { Cmd: ['sh', '-c', 'exit 3'] }).id);
    await execs.run(s, '', () => undefined);
    expect(events.map((e) => e.action)).toEqual(['exec_create: sh -c exit 3', 'exec_start: sh -c exit 3', 'exec_die']);
    expect(events[2]).toMatchObject({ type: 'container', id: c.id, attributes: { execID: s.id, exitCode: '3', name: c.config.taskName } });
  });

  it('refuses a command that is empty, an exec that is not there, and a second start', async () => {
    const c = await t.run('busybox', ['sleep', '1000']);
    const execs = new ExecSessions();
    expect(() => execs.create(c, { Cmd: [] })).toThrow('No exec command specified');
    expect(() => execs.get('nope')).toThrow('No such exec instance: nope');
    const once = execs.create(c, { Cmd: ['true'] });
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
