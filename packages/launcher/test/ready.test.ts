// What Lab says while a swarm is not all Ready: the nodes missing and their state, which is also
// what `up` and `add` report when they give up waiting.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../src/index.js';

const home = mkdtempSync(join(tmpdir(), 'swarmlab-ready-'));
let lab: Lab | undefined;
afterAll(async () => {
  await lab?.downForSure();
  rmSync(home, { recursive: true, force: true });
});

describe('Lab.notReady', () => {
  it('names an isolated worker as down, and nothing once it is back', async () => {
    lab = await Lab.up({ name: 'ready', managers: 1, workers: 1, fresh: true, home });
    expect(await lab.notReady()).toBeUndefined();
    await lab.isolate('worker1');
    await lab.waitFor(async () => (await lab!.notReady()) === 'not Ready: worker1 (down)', 20_000, 'worker1 reported down');
    expect(await lab.allReady()).toBe(false);
    await lab.heal();
    await lab.waitFor(() => lab!.allReady(), 20_000, 'every node Ready again');
    expect(await lab.notReady()).toBeUndefined();
  }, 60_000);
});
