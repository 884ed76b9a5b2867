// busybox / alpine containers: commands and args as the images run them, sh -c scripts with the
// exit codes and error messages of ash (and dash in Debian-based images), stop semantics of
// PID 1.

import { describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerStartError } from '../src/agent/exec/index.js';
import { collectLogs, logText, useRuntime } from './exec-helpers.js';

const t = useRuntime(131);
/** A runtime whose clock runs 100,000× faster: sleeps end almost at once. */
const fast = useRuntime(132, { clock: { now: () => Date.now(), toReal: (ms) => ms / 100_000 } });

async function runToExit(image: string, args?: string[], extra = {}): Promise<{ code: number; out: string; err: string; hostname: string }> {
  const c = await t.run(image, args, extra);
  const code = await c.wait();
  return { code, out: await logText(c, 'stdout'), err: await logText(c, 'stderr'), hostname: c.hostname };
}

const sh = (script: string, image = 'busybox') => runToExit(image, ['sh', '-c', script]);

describe('busybox commands', () => {
  it('runs echo, true and false directly', async () => {
    expect(await runToExit('busybox', ['echo', 'hello', 'world'])).toMatchObject({ code: 0, out: 'hello world' });
    expect((await runToExit('busybox', ['true'])).code).toBe(0);
    expect((await runToExit('busybox:1.36', ['false'])).code).toBe(1);
  });

  it('exits 0 at once with no command, as the image\'s bare sh without a terminal does', async () => {
    expect((await runToExit('busybox')).code).toBe(0);
    expect((await runToExit('alpine:3.20')).code).toBe(0);
  });

  it('counts bytes with head -c and tail -c, lines with -n', async () => {
    expect(await sh('echo abcdefgh | head -c 3')).toMatchObject({ code: 0, out: 'abc' });
    expect(await sh('echo abcdefgh | tail -c3')).toMatchObject({ code: 0, out: 'gh' });
    expect(await sh('printf "1\\n2\\n3\\n" | head -n 2')).toMatchObject({ code: 0, out: '1\n2' });
  });

  it('writes into and reads from /dev/null, as programs that open it themselves do', async () => {
    expect(await sh('echo gone > /dev/null; cat /dev/null; echo done')).toMatchObject({ code: 0, out: 'done' });
  });

  it('reports sh -c exit codes', async () => {
    expect((await sh('exit 3')).code).toBe(3);
    expect((await sh('exit 300')).code).toBe(44);
    expect((await sh('false; true')).code).toBe(0);
    expect((await sh('true && false')).code).toBe(1);
  });

  it('answers an unknown command as the shell does: 127 and "sh: foo: not found"', async () => {
    const r = await sh('echo before; foo --bar; echo after $?');
    expect(r).toMatchObject({ code: 0, out: 'before\nafter 127', err: 'sh: foo: not found' });
    expect(await sh('nosuchcmd')).toMatchObject({ code: 127, err: 'sh: nosuchcmd: not found' });
  });

  it('uses dash wording in Debian-based images', async () => {
    expect(await sh('nosuchcmd', 'nginx')).toMatchObject({ code: 127, err: 'sh: 1: nosuchcmd: not found' });
  });

  it('fails to start a container whose executable does not exist, as runc does', async () => {
    const c = await t.create('busybox', ['nosuchbinary', '-x']);
    await expect(c.start()).rejects.toBeInstanceOf(ContainerStartError);
    await expect(c.start()).rejects.toThrow('exec: "nosuchbinary": executable file not found in $PATH');
    expect(c.status()).toMatchObject({ state: 'created', exitCode: 127 });
  });

  it('reports syntax errors with exit status 2', async () => {
    expect(await sh('for i in 1 2; do echo $i')).toMatchObject({ code: 2, err: 'sh: syntax error: unexpected end of file' });
    expect(await sh('echo "open')).toMatchObject({ code: 2, err: 'sh: syntax error: unterminated quoted string' });
    expect(await sh('done')).toMatchObject({ code: 2, err: 'sh: syntax error: unexpected "done"' });
  });

  it('runs the echo-service loop of the swarm tutorial with the container hostname', async () => {
    const r = await sh('for i in 1 2 3; do echo "line $i from $(hostname)"; done');
    expect(r.out).toBe([1, 2, 3].map((i) => `line ${i} from ${r.hostname}`).join('\n'));
  });

  it('supports ; && || pipelines, variables, arithmetic, tests, case and while', async () => {
    expect((await sh('echo a; false && echo no || echo b; true && echo c')).out).toBe('a\nb\nc');
    expect((await sh('x=3; while [ $x -gt 0 ]; do echo $x; x=$((x-1)); done')).out).toBe('3\n2\n1');
    expect((await sh('seq 3 | while read n; do echo "n=$n"; done')).out).toBe('n=1\nn=2\nn=3');
    expect((await sh('case "$HOSTNAME" in ????????????) echo twelve;; *) echo other;; esac')).out).toBe('twelve');
    expect((await sh('v=$(echo hi); echo "${v}:${#v}:${unset:-default}"')).out).toBe('hi:2:default');
    expect((await sh('if [ -f /etc/hostname ] && [ ! -d /etc/hostname ]; then echo file; fi')).out).toBe('file');
    expect((await sh("printf '%s=%03d\\n' a 5 b 7")).out).toBe('a=005\nb=007');
  });

  it("defines and calls functions as ash and dash do: arguments, return, local variables, recursion; no function takes a special builtin's name", async () => {
    const script = [
      'greet() { echo "hello $1 ($#)"; }',
      'greet world; greet',
      'x=outer',
      'scoped() {',
      '  local x=inner y',
      '  y=$x; echo "in: $x $y"; return 3',
      '}',
      'scoped; echo "status $? x=$x y=${y-unset}"',
      'count() { if [ $1 -gt 0 ]; then echo $1; count $(($1 - 1)); fi; }',
      'count 2',
      'type greet',
      'exit 4',
    ].join('\n');
    expect(await sh(script)).toMatchObject({ code: 4, out: 'hello world (1)\nhello  (0)\nin: inner inner\nstatus 3 x=outer y=unset\n2\n1\ngreet is a function' });
    expect((await sh('f() { echo "dash $1"; }; f one; type f', 'nginx')).out).toBe('dash one\nf is a shell function');
    // ash and dash take a simple command as the body (bash does not).
    expect(await sh('f() echo "simple $1"; f body')).toMatchObject({ code: 0, out: 'simple body' });
    expect(await sh('echo() { printf "E:%s" "$1"; }; echo x')).toMatchObject({ out: 'E:x' });
    expect(await sh('echo first; exit() { :; }')).toMatchObject({ code: 2, out: '', err: 'sh: syntax error: bad function name' });
    expect(await sh('exit() { :; }', 'nginx')).toMatchObject({ code: 2, err: 'sh: 1: Syntax error: Bad function name' });
    expect(await sh('echo a\nlocal a=1')).toMatchObject({ code: 2, err: 'sh: local: line 1: not in a function' });
    expect(await sh('f() { local 1x; }; f', 'nginx')).toMatchObject({ code: 2, err: 'sh: 1: local: 1x: bad variable name' });
  });

  it('writes and reads files in the container root through redirections', async () => {
    const r = await sh('echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f; wc -l < /tmp/f; cat /tmp/none');
    expect(r.out).toBe('one\ntwo\n2');
    expect(r.err).toBe("cat: can't open '/tmp/none': No such file or directory");
    expect(r.code).toBe(1);
  });

  it('sleeps in the runtime clock: sleep N, then exits 0', async () => {
    const c = await fast.run('busybox', ['sleep', '3600']);
    expect(await c.wait()).toBe(0);
  });

  it('keeps `sleep infinity` running; docker stop kills the PID 1 that ignores SIGTERM (137)', async () => {
    const c = await t.run('busybox', ['sleep', 'infinity']);
    expect(c.status().state).toBe('running');
    await c.stop(50);
    expect(c.status()).toMatchObject({ state: 'exited', exitCode: 137, pid: 0 });
  });

  it('runs a TERM trap when stopped, so the script exits as it chooses', async () => {
    const c = await t.run('busybox', ['sh', '-c', "trap 'echo bye; exit 0' TERM; echo up; while true; do sleep 0.02; done"]);
    await c.stop(5000);
    expect(c.status().exitCode).toBe(0);
    expect(await logText(c, 'stdout')).toBe('up\nbye');
  });

  it('waits at the prompt with --tty and no command', async () => {
    const c = await t.run('busybox', undefined, { tty: true });
    expect(c.status().state).toBe('running');
    expect(c.env).toContain('TERM=xterm');
    await c.kill();
    expect(c.status().exitCode).toBe(137);
  });

  it('reads a secret file with cat, and the file has the requested mode', async () => {
    const secret = { target: 'db_password', uid: '0', gid: '0', mode: 0o400, data: Buffer.from('s3cr3t-value') };
    const c = await t.run('busybox', ['sleep', 'infinity'], { secrets: [secret] });
    const r = await c.exec(['cat', '/run/secrets/db_password']);
    expect(r).toEqual({ exitCode: 0, stdout: 's3cr3t-value', stderr: '' });
    const st = await stat(join(c.config.rootDir, 'run/secrets/db_password'));
    expect(st.mode & 0o777).toBe(0o400);
    const ls = await c.exec(['ls', '-l', '/run/secrets']);
    expect(ls.stdout).toMatch(/^total \d+\n-r-------- {4}1 \S+ +\S+ +12 \w{3} [ \d]\d \d\d:\d\d db_password\n$/);
  });

  it('execs commands in a running container and refuses once it has exited', async () => {
    const c = await t.run('alpine', ['sleep', '1000'], { env: ['GREETING=hi'] });
    expect(await c.exec(['sh', '-c', 'echo $GREETING from $(hostname); exit 5'])).toEqual({ exitCode: 5, stdout: `hi from ${c.hostname}\n`, stderr: '' });
    expect((await c.exec(['nosuch'])).exitCode).toBe(127);
    await c.kill();
    await expect(c.exec(['true'])).rejects.toThrow(`Container ${c.id} is not running`);
  });

  it('does not starve the event loop with a busy loop, and kill ends it', async () => {
    const c = await t.run('busybox', ['sh', '-c', 'while true; do :; done']);
    await new Promise((r) => setTimeout(r, 20));
    await c.kill();
    expect(c.status().exitCode).toBe(137);
    expect(await collectLogs(c)).toEqual([]);
  });
});
