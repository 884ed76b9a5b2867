import { defineConfig } from 'vitest/config';

// The tests start real clusters (a dozen processes each): one file at a time, so two clusters'
// elections never compete for the machine's two cores.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
