// docker stack deploy / ls / services / ps / rm through the real docker CLI, with the reference
// compose file (two overlay networks, one encrypted with a fixed subnet, a file secret, a file
// config, a global and a replicated service); a second deploy updates the stack in place.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { docker, startLab, stopAllLabs } from './helpers/lab.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/stack/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'swarmlab-stack-'));
let lab: Lab;
let addr: string;
let haveDocker = true;

beforeAll(async () => {
  cpSync(FIXTURES, work, { recursive: true });
  lab = await startLab({ name: 'stack', managers: 1, workers: 2 });
  addr = lab.node('manager1').spec.addr;
  haveDocker = (await docker(addr, ['version', '--format', '{{.Client.Version}}'])) !== undefined;
}, 60_000);
afterAll(async () => {
  await stopAllLabs();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

async function cli(args: string[]): Promise<string> {
  const r = await docker(addr, args);
  if (!r) throw new Error('docker CLI not installed');
  return r.stdout + r.stderr;
}

describe('docker stack', () => {
  it('deploys the reference compose file, lists it, and updates it in place on a second deploy', async (t) => {
    if (!haveDocker) t.skip();
    const first = await cli(['stack', 'deploy', '-c', join(work, 'compose.yml'), 'app']);
    for (const line of ['Creating network app_back', 'Creating network app_front', 'Creating secret app_db_password', 'Creating config app_app_conf', 'Creating service app_web', 'Creating service app_db'])
      expect(first).toContain(line);
    expect(await cli(['stack', 'ls'])).toMatch(/app\s+2/);
    const converged = (out: string) => /app_web\s+replicated\s+2\/2/.test(out) && /app_db\s+global\s+1\/1/.test(out);
    await lab.waitFor(async () => converged(await cli(['stack', 'services', 'app'])), 20_000, 'app_web 2/2 and app_db 1/1');
    const services = await cli(['stack', 'services', 'app']);
    expect(services).toMatch(/app_db\s+global\s+1\/1\s+postgres:16/);
    expect(services).toMatch(/app_web\s+replicated\s+2\/2\s+nginx:alpine\s+\*:8080->80\/tcp/);
    expect(await cli(['stack', 'ps', 'app', '--format', '{{.Name}} {{.DesiredState}}'])).toMatch(/app_web\.1 Running/);

    const net = JSON.parse(await cli(['network', 'inspect', 'app_back']))[0];
    expect(net.IPAM.Config[0].Subnet).toBe('10.40.0.0/24');
    expect(net.Options).toMatchObject({ encrypted: '' });
    expect(net.Labels).toMatchObject({ 'com.docker.stack.namespace': 'app' });

    writeFileSync(join(work, 'compose-3.yml'), readFileSync(join(work, 'compose.yml'), 'utf8').replace('replicas: 2', 'replicas: 3'));
    const second = await cli(['stack', 'deploy', '-c', join(work, 'compose-3.yml'), 'app']);
    expect(second).toContain('Updating service app_web');
    expect(second).not.toMatch(/error|failed/i);
    await lab.waitFor(async () => /app_web\s+replicated\s+3\/3/.test(await cli(['stack', 'services', 'app'])), 20_000, 'app_web 3/3');
  }, 90_000);

  it('removes everything it created with stack rm', async (t) => {
    if (!haveDocker) t.skip();
    const out = await cli(['stack', 'rm', 'app']);
    for (const line of ['Removing service app_db', 'Removing service app_web', 'Removing secret app_db_password', 'Removing config app_app_conf', 'Removing network app_back', 'Removing network app_front'])
      expect(out).toContain(line);
    await lab.waitFor(async () => (await cli(['stack', 'ls'])).trim() === 'NAME      SERVICES', 20_000, 'no stacks');
    expect(await cli(['secret', 'ls', '-q'])).toBe('');
    expect(await cli(['config', 'ls', '-q'])).toBe('');
  }, 60_000);
});
