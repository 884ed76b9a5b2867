// Autolock: managers keep their key file (and the Raft DEK in it) encrypted with the unlock key;
// a restarted manager is locked until `docker swarm unlock` gives the right key.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLab, stopAllLabs } from './helpers/lab.js';

afterAll(stopAllLabs, 60_000);

describe('autolock', () => {
  it('locks a restarted manager until the right unlock key is given', async () => {
    const lab = await startLab({ name: 'autolock', managers: 3, workers: 1, autolock: true });
    const api = lab.client('manager1');
    const { UnlockKey } = await api.swarmUnlockKey();
    expect(UnlockKey).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
    const keyFile = join(lab.node('manager1').spec.stateDir, 'certificates', 'swarm-node.key');
    await lab.waitFor(() => readFileSync(keyFile, 'utf8').includes('ENCRYPTED PRIVATE KEY'), 5000, 'the key file to be encrypted');
    // Workers' keys are never encrypted.
    expect(readFileSync(join(lab.node('worker1').spec.stateDir, 'certificates', 'swarm-node.key'), 'utf8')).not.toContain('ENCRYPTED');

    await lab.restart('manager1');
    expect((await api.ping()).swarm).toBe('locked');
    expect((await api.info()).Swarm.LocalNodeState).toBe('locked');
    await expect(api.nodeList()).rejects.toThrow(
      'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.',
    );
    await expect(api.swarmUnlock('SWMKEY-1-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8')).rejects.toThrow(
      'swarm could not be unlocked: invalid key provided',
    );
    await expect(api.swarmUnlock('not-a-key')).rejects.toThrow('invalid key string');
    await api.swarmUnlock(UnlockKey);
    await lab.waitFor(async () => {
      const n = (await api.nodeList()).find((x) => x.Description.Hostname === 'manager1');
      return n?.Status.State === 'ready' && n.ManagerStatus?.Reachability === 'reachable';
    }, 15_000, 'manager1 back as a Reachable manager');
    await expect(lab.client('worker1').swarmUnlock(UnlockKey)).rejects.toThrow('swarm is not locked');
  }, 90_000);
});
