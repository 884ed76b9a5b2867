import { describe, expect, it } from 'vitest';
import { TestCluster, text } from './helpers/cluster.js';

describe('smoke', () => {
  it('elects a leader and replicates', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    c.propose('a');
    c.propose('b');
    c.tick(2);
    for (const t of c.nodes.values()) expect(t.applied.map(text)).toEqual(['a', 'b']);
    expect(l).toBeGreaterThan(0);
  });
});
