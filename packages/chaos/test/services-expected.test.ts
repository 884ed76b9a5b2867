// What the services workload's history allows each service to end as.

import { describe, expect, it } from 'vitest';
import { allowedServiceStates, expectedServices } from '../src/run/services.js';
import type { HistoryOp } from '../src/types.js';

let t = 0;
const op = (process: number, type: HistoryOp['type'], f: string, value: unknown): HistoryOp => ({ process, type, f, value, time: (t += 10) });

describe('the services workload’s expected states', () => {
  it('is the last acknowledged effect when nothing is in doubt', () => {
    const h = [
      op(0, 'invoke', 'create', { name: 'chaos-svc-1', replicas: 2 }),
      op(0, 'ok', 'create', { name: 'chaos-svc-1', replicas: 2 }),
      op(0, 'invoke', 'scale', { name: 'chaos-svc-1', replicas: 3, generation: 0 }),
      op(0, 'ok', 'scale', { name: 'chaos-svc-1', replicas: 3, generation: 0 }),
      op(1, 'invoke', 'remove', { name: 'chaos-svc-2' }),
      op(1, 'fail', 'remove', { name: 'chaos-svc-2' }),
    ];
    expect(allowedServiceStates(h).get('chaos-svc-1')).toEqual([{ name: 'chaos-svc-1', replicas: 3, generation: 0 }]);
    expect(allowedServiceStates(h).get('chaos-svc-2')).toEqual([{ name: 'chaos-svc-2' }]);
  });

  it('also allows the effect of an indeterminate operation, even one that began before the last acknowledged one', () => {
    const h = [
      op(0, 'invoke', 'remove', { name: 'chaos-svc-1' }),
      op(1, 'invoke', 'create', { name: 'chaos-svc-1', replicas: 1 }),
      op(1, 'ok', 'create', { name: 'chaos-svc-1', replicas: 1 }),
      op(0, 'info', 'remove', { name: 'chaos-svc-1' }),
    ];
    expect(allowedServiceStates(h).get('chaos-svc-1')).toEqual([{ name: 'chaos-svc-1', replicas: 1, generation: 0 }, { name: 'chaos-svc-1' }]);
    // The cluster shows the removal: that is an allowed end, so it is what is expected.
    expect(expectedServices(h, [])).toEqual([{ name: 'chaos-svc-1' }]);
    // It shows something no operation asked for: the last acknowledged state is expected (and the check will say so).
    expect(expectedServices(h, [{ name: 'chaos-svc-1', replicas: 7, generation: 0 }])).toEqual([{ name: 'chaos-svc-1', replicas: 1, generation: 0 }]);
  });

  it('allows either order for acknowledged operations that overlapped', () => {
    const h = [
      op(0, 'invoke', 'scale', { name: 'chaos-svc-3', replicas: 1, generation: 0 }),
      op(1, 'invoke', 'scale', { name: 'chaos-svc-3', replicas: 2, generation: 0 }),
      op(0, 'ok', 'scale', { name: 'chaos-svc-3', replicas: 1, generation: 0 }),
      op(1, 'ok', 'scale', { name: 'chaos-svc-3', replicas: 2, generation: 0 }),
    ];
    expect(allowedServiceStates(h).get('chaos-svc-3')!.map((s) => s.replicas)).toEqual([2, 1]);
  });
});
