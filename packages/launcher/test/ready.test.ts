// What Lab says while a swarm is not all Ready: the nodes missing and their state, which is also
// what `up` and `add` report when they give up waiting.

import { describe, expect, it } from 'vitest';
import { labPerFile } from './helpers/lab-per-file.js';

const file = labPerFile('ready');

describe('Lab.notReady', () => {
  it('names an isolated worker as down, and nothing once it is back', async () => {
    const lab = await file.up({ managers: 1, workers: 1, fresh: true });
    expect(await lab.notReady()).toBeUndefined();
    await lab.isolate('worker1');
    await lab.waitFor(async () => (await lab.notReady()) === 'not Ready: worker1 (down)', 20_000, 'worker1 reported down');
    expect(await lab.allReady()).toBe(false);
    await lab.heal();
    await lab.waitFor(() => lab.allReady(), 20_000, 'every node Ready again');
    expect(await lab.notReady()).toBeUndefined();
  }, 60_000);
});
