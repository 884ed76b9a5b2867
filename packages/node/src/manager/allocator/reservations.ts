// What the leader's allocators handed out and the store does not show yet. Allocation reads the
// store, but a decision reaches the store only once its Raft commit applies, and several are in
// flight at once: concurrent `docker service create`s, `docker network create`s, and the
// orchestrator's pipelined rounds of new tasks. Without this ledger two of them took the same VIP,
// task address, subnet, VXLAN ID or published port. (SwarmKit's allocator keeps its IPAM state
// in memory for the same reason.) A hold lasts until its commit is applied or refused.

export type Reserved =
  | { kind: 'address'; networkId: string; cidr: string }
  | { kind: 'subnet'; cidr: string; vxlanIds: number[] }
  | { kind: 'port'; protocol: string; port: number; mode: string; serviceId: string; serviceName: string };

export interface Hold {
  release(): void;
}

export class Reservations {
  private readonly held = new Set<Reserved>();

  /** Holds `items` until release() (idempotent). */
  hold(items: readonly Reserved[]): Hold {
    for (const item of items) this.held.add(item);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const item of items) this.held.delete(item);
      },
    };
  }

  /** Holds `items` while `commit` runs: what it allocated is the store's once it resolves. */
  async during<T>(items: readonly Reserved[], commit: () => Promise<T>): Promise<T> {
    const hold = this.hold(items);
    try {
      return await commit();
    } finally {
      hold.release();
    }
  }

  addresses(networkId: string): string[] {
    return [...this.held].flatMap((r) => (r.kind === 'address' && r.networkId === networkId ? [r.cidr] : []));
  }

  subnets(): { cidr: string; vxlanIds: number[] }[] {
    return [...this.held].flatMap((r) => (r.kind === 'subnet' ? [r] : []));
  }

  ports(): Extract<Reserved, { kind: 'port' }>[] {
    return [...this.held].flatMap((r) => (r.kind === 'port' ? [r] : []));
  }
}
