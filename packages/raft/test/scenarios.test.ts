import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenarioFile } from './helpers/interaction.js';

const dir = join(import.meta.dirname, '..', 'testdata');
const rewrite = process.env.REWRITE === '1';

describe('scenario files', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    it(file, () => {
      const { mismatches } = runScenarioFile(join(dir, file), rewrite);
      if (!rewrite) expect(mismatches).toEqual([]);
    });
  }
});
