// Authenticated links from this node to other managers, kept up by PeerLink, used to forward
// control calls to the leader and to send Raft messages. One link per manager address.

import { PeerLink, TransportError, type Nic, type SecurityConfig, type ServiceTable } from '@swarmlab/transport';
import { ApiError, DAEMON, ManagerUnreachable } from '../errors.js';

type Reply = { ok: true; value: unknown } | { ok: false; error?: { statusCode: number; message: string } };

export class ManagerLinks {
  private links = new Map<string, PeerLink>();

  constructor(
    private readonly nic: Nic,
    private readonly security: SecurityConfig,
    private readonly services: () => ServiceTable,
  ) {}

  get(addr: string): PeerLink {
    let l = this.links.get(addr);
    if (!l || l.closed) {
      const [host, port] = addr.split(':');
      l = new PeerLink({
        nic: this.nic,
        host,
        port: Number(port || 2377),
        security: this.security,
        services: this.services(),
        backoff: { initialMs: 20, maxMs: 1000 },
      }).start();
      this.links.set(addr, l);
    }
    return l;
  }

  /** Drops links to managers that are no longer members. */
  retain(addrs: Iterable<string>): void {
    const keep = new Set(addrs);
    for (const [addr, l] of this.links) {
      if (!keep.has(addr)) {
        l.close();
        this.links.delete(addr);
      }
    }
  }

  /**
   * Calls a service on a manager. `connectMs` bounds the wait for a link: a manager we cannot
   * reach fails fast (Unavailable) so the caller can look for the leader again.
   */
  async call(addr: string, service: string, method: string, body: unknown, timeoutMs: number, connectMs = timeoutMs): Promise<unknown> {
    let reply: Reply;
    try {
      const peer = this.get(addr);
      if (!peer.connected) {
        try {
          await peer.waitForLink(Math.min(connectMs, timeoutMs));
        } catch (e) {
          throw new ManagerUnreachable(addr, e instanceof Error ? e.message : String(e));
        }
      }
      reply = (await peer.request(service, method, body, { timeoutMs })) as Reply;
    } catch (e) {
      if (e instanceof ManagerUnreachable) throw e;
      if (e instanceof TransportError && e.code === 'DeadlineExceeded') throw DAEMON.deadline();
      throw new ApiError(503, `rpc error: code = Unavailable desc = ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!reply || typeof reply !== 'object') throw new ApiError(500, 'malformed reply from manager');
    if (!reply.ok) throw new ApiError(reply.error?.statusCode ?? 500, reply.error?.message ?? 'request failed');
    return reply.value;
  }

  closeAll(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
  }
}
