// Where the user stands in a partition given --include-api, and the API rule among the others.

import { describe, expect, it } from 'vitest';
import { apiCutPlan, cutFromUser, mergePlans, partitionPlan } from '../src/faults.js';

const ALL = ['manager1', 'manager2', 'manager3', 'worker1', 'worker2'];

describe('cutFromUser', () => {
  it('cuts an isolated node: the user stays with the rest', () => {
    expect(cutFromUser(ALL, [['worker1']], 'manager1')).toEqual(['worker1']);
  });

  it('stands with the largest group, the nodes named in none counting as one', () => {
    expect(cutFromUser(ALL, [['manager1', 'manager2'], ['manager3', 'worker1', 'worker2']], 'manager1')).toEqual(['manager1', 'manager2']);
    expect(cutFromUser(ALL, [['manager1'], ['manager2']], undefined)).toEqual(['manager1', 'manager2']);
  });

  it("breaks a tie with the leader's group, else the first", () => {
    const four = ALL.slice(0, 4);
    expect(cutFromUser(four, [['manager1', 'manager2'], ['manager3', 'worker1']], 'manager3')).toEqual(['manager1', 'manager2']);
    expect(cutFromUser(four, [['manager1', 'manager2'], ['manager3', 'worker1']], undefined)).toEqual(['manager3', 'worker1']);
  });
});

describe('apiCutPlan', () => {
  it('adds blockApi beside the peer rules of a partition', () => {
    const nodes = ALL.map((name, i) => ({ name, addr: `127.9.0.${i + 2}` }));
    const plan = mergePlans(partitionPlan(nodes, [['worker1']]), apiCutPlan(['worker1']));
    expect(plan.get('worker1')).toMatchObject({ blockApi: true, peers: { '127.9.0.2': { block: 'both' } } });
    expect(plan.get('manager1')?.blockApi).toBeUndefined();
  });
});
