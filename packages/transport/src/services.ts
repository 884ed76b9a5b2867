import { TransportError } from './errors.js';
import type { PeerIdentity } from './tls/identity.js';
import type { Link } from './link.js';

/**
 * Who may use a service:
 *  - `unauthenticated`: anyone, even without a certificate (the join/CA exchange);
 *  - `authenticated` (default): any node of the cluster (manager or worker certificate);
 *  - `managerOnly`: manager certificates only (raft, control API forwarding, ...).
 */
export type ServiceAccess = 'unauthenticated' | 'authenticated' | 'managerOnly';

export interface CallContext {
  link: Link;
  /** The caller's identity from its certificate, null for an unauthenticated caller. */
  peer: PeerIdentity | null;
  remoteAddress: string;
}

export type RequestHandler = (body: unknown, context: CallContext) => unknown;
export type MessageHandler = (body: unknown, context: CallContext) => void;

export interface ServiceDefinition {
  access?: ServiceAccess;
  /** Request/response methods by name. */
  methods?: Record<string, RequestHandler>;
  /** One-way messages sent with `link.send(service, body)`. */
  onMessage?: MessageHandler;
}

export type ServiceTable = Record<string, ServiceDefinition>;

/** Looks a name up as an own property only, so a peer cannot reach `constructor`, `toString`, ... */
export function ownEntry<T>(table: Record<string, T> | undefined, name: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * SwarmKit's authorization texts (ca/auth.go): AuthorizeForwardedRoleAndOrg wraps the inner error,
 * which is why the gRPC prefix appears inside the message.
 */
export function authorize(service: string, definition: ServiceDefinition | undefined, peer: PeerIdentity | null): TransportError | null {
  if (!definition) return new TransportError('Unimplemented', `unknown service ${service}`);
  const access = definition.access ?? 'authenticated';
  if (access === 'unauthenticated') return null;
  if (peer === null) {
    return new TransportError(
      'PermissionDenied',
      'Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no client certificates in request',
    );
  }
  if (access === 'managerOnly' && peer.role !== 'manager') {
    return new TransportError(
      'PermissionDenied',
      'Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: remote certificate not part of OUs: [swarm-manager]',
    );
  }
  return null;
}
