// Volume and tmpfs mounts of task containers, and the node's volume store: data outlives the
// container and is found by the next one that mounts the volume, a new volume gets the image's
// files at its mount point, read-only mounts refuse writes, and a restarted node lists its volumes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VolumeStore } from '../src/agent/exec/volumes.js';
import type { EngineEvent } from '../src/agent/exec/index.js';
import { httpGet, logText, useRuntime, waitForPort } from './exec-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmlab-volumes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const events: EngineEvent[] = [];
const volumes = new VolumeStore(dir, (ev) => events.push(ev));
const t = useRuntime(129, { volumes, onEvent: (ev) => events.push(ev) });

async function run(script: string, mounts: Parameters<typeof t.run>[2] = {}) {
  const c = await t.run('busybox', ['sh', '-c', script], mounts);
  const code = await c.wait();
  return { code, out: await logText(c, 'stdout'), err: await logText(c, 'stderr'), container: c };
}

describe('engine events', () => {
  it('tell docker events what happens to containers, images and volumes, in order', async () => {
    events.length = 0;
    const c = await t.run('busybox:1.37', ['sleep', '1000'], { mounts: [{ type: 'volume', source: 'evented', target: '/data' }] });
    await c.stop(50);
    await c.remove();
    const seen = events.map((e) => `${e.type} ${e.action}`);
    expect(seen).toEqual([
      'image pull',
      'volume create',
      'container create',
      'volume mount',
      'container start',
      'container kill',
      'container kill',
      'container die',
      'container stop',
      'container destroy',
      'volume unmount',
    ]);
    const die = events.find((e) => e.action === 'die')!;
    expect(die).toMatchObject({ id: c.id, attributes: { exitCode: '137', image: 'busybox:1.37', name: c.config.taskName, 'com.docker.swarm.service.name': 'web' } });
    expect(events.filter((e) => e.action === 'kill').map((e) => e.attributes.signal)).toEqual(['15', '9']);
    expect(events[0]).toMatchObject({ type: 'image', id: 'busybox:1.37', attributes: { name: 'busybox' } });
  });
});

describe('volume mounts', () => {
  it('keep what one container wrote for the next container that mounts the volume', async () => {
    const first = await run('echo one >> /data/log; cat /data/log', { mounts: [{ type: 'volume', source: 'shared', target: '/data' }] });
    expect(first).toMatchObject({ code: 0, out: 'one' });
    expect(first.container.mounts).toEqual([
      { Type: 'volume', Name: 'shared', Source: '/var/lib/docker/volumes/shared/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    ]);
    await first.container.remove();
    const second = await run('echo two >> /data/log; cat /data/log', { mounts: [{ type: 'volume', source: 'shared', target: '/data' }] });
    expect(second.out).toBe('one\ntwo');
    // Not mounted: the container's own /data is empty.
    expect((await run('ls /data 2>&1; echo end')).out).toMatch(/No such file or directory\nend$/);
  });

  it('give a new volume the image\'s files at its mount point, which then serve', async () => {
    const c = await t.run('nginx', undefined, { mounts: [{ type: 'volume', source: 'html', target: '/usr/share/nginx/html' }] });
    await waitForPort(c.config.bindAddress, 80);
    expect((await httpGet(c.config.bindAddress, 80)).body).toContain('Welcome to nginx!');
    await c.exec(['sh', '-c', 'echo changed > /usr/share/nginx/html/index.html']);
    await c.remove();
    const again = await t.run('nginx', undefined, { mounts: [{ type: 'volume', source: 'html', target: '/usr/share/nginx/html' }] });
    await waitForPort(again.config.bindAddress, 80);
    expect((await httpGet(again.config.bindAddress, 80)).body).toBe('changed\n');
  });

  it('refuse writes when read-only, make anonymous volumes and tmpfs mounts, and expand templates in the source', async () => {
    await run('echo x > /ro/file', { mounts: [{ type: 'volume', source: 'ro', target: '/ro' }] });
    const ro = await run('cat /ro/file; echo y > /ro/file', { mounts: [{ type: 'volume', source: 'ro', target: '/ro', readOnly: true }] });
    expect(ro).toMatchObject({ code: 1, out: 'x', err: "sh: can't create /ro/file: Read-only file system" });

    const anonymous = await run('echo a > /anon/f; cat /anon/f', { mounts: [{ type: 'volume', target: '/anon' }, { type: 'tmpfs', target: '/scratch' }] });
    expect(anonymous.out).toBe('a');
    const [volume, tmpfs] = anonymous.container.mounts;
    expect(volume!.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(tmpfs).toMatchObject({ Type: 'tmpfs', Destination: '/scratch', RW: true });
    expect((await volumes.get(volume!.Name!)).anonymous).toBe(true);

    const templated = await run('echo hi > /d/f', { mounts: [{ type: 'volume', source: 'data-{{.Task.Slot}}', target: '/d' }], slot: 3 });
    expect(templated.container.mounts[0]!.Name).toBe('data-3');
  });

  it('stay writable, with tmpfs mounts, in a container whose root is read-only (--read-only)', async () => {
    const r = await run('echo v > /data/f && echo t > /tmp/f && cat /data/f /tmp/f; echo x > /etc/f; touch /newfile; wget -q http://localhost:1/ 2>/dev/null; echo end', {
      readOnlyRoot: true,
      mounts: [{ type: 'volume', source: 'rw', target: '/data' }, { type: 'tmpfs', target: '/tmp' }],
    });
    expect(r.out).toBe('v\nt\nend');
    expect(r.err).toBe("sh: can't create /etc/f: Read-only file system\ntouch: /newfile: Read-only file system");
  });

  it('are kept by the store: listed again by a restarted node, removed only when no container mounts them', async () => {
    await volumes.ensure('labelled', { labels: { tier: 'db' } });
    const reopened = new VolumeStore(dir);
    const names = (await reopened.list()).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['shared', 'html', 'labelled', 'data-3']));
    expect((await reopened.get('labelled')).labels).toEqual({ tier: 'db' });
    await expect(reopened.remove('shared', ['c0ffee'])).rejects.toThrow('remove shared: volume is in use - [c0ffee]');
    await reopened.remove('labelled', []);
    await expect(reopened.get('labelled')).rejects.toThrow('get labelled: no such volume');
    await expect(volumes.ensure('bad/name')).rejects.toThrow('"bad/name" includes invalid characters for a local volume name');
  });
});
