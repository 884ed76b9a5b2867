// A test file's own SWARMLAB_HOME and the clusters it starts there: after the file, every node
// process is stopped and the directory removed, even when a test failed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Lab, type LabOptions } from '../../src/lab.js';

export function labPerFile(name: string): { home: string; up(options: Omit<LabOptions, 'home' | 'name'>): Promise<Lab> } {
  const home = mkdtempSync(join(tmpdir(), `swarmlab-${name}-`));
  const labs: Lab[] = [];
  afterAll(async () => {
    for (const lab of labs) await lab.downForSure();
    rmSync(home, { recursive: true, force: true });
  });
  return {
    home,
    up: async (options) => {
      const lab = await Lab.up({ ...options, name, home });
      labs.push(lab);
      return lab;
    },
  };
}
