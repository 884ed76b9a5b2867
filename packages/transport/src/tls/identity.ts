import type { X509Certificate } from 'node:crypto';

export type NodeRole = 'manager' | 'worker';

/** Who is at the other end of a link, read from its verified certificate. */
export interface PeerIdentity {
  nodeId: string;
  role: NodeRole;
  clusterId: string;
  notAfter: Date;
}

export const MANAGER_OU = 'swarm-manager';
export const WORKER_OU = 'swarm-worker';
/** SwarmKit dials managers with this TLS server name, never with a host name. */
export const MANAGER_SERVER_NAME = 'swarm-manager';

/**
 * Reads CN (node ID), OU (role) and O (cluster ID) from a node certificate, as SwarmKit's
 * RemoteNode does. Returns a reason string when the certificate is not a swarm node certificate.
 */
export function identityFromCertificate(cert: X509Certificate): PeerIdentity | string {
  const fields = subjectFields(cert.subject);
  const nodeId = fields.get('CN')?.[0];
  const clusterId = fields.get('O')?.[0];
  const units = fields.get('OU') ?? [];
  const role: NodeRole | null = units.includes(MANAGER_OU) ? 'manager' : units.includes(WORKER_OU) ? 'worker' : null;
  if (!nodeId) return 'certificate has no node ID (CN)';
  if (!clusterId) return 'certificate has no cluster ID (O)';
  if (!role) return `certificate is not a swarm node certificate (OU ${JSON.stringify(units)})`;
  return { nodeId, role, clusterId, notAfter: new Date(cert.validTo) };
}

/** Node renders a subject as "O=...\nOU=...\nCN=..."; a field may repeat. */
function subjectFields(subject: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const values = fields.get(key) ?? [];
    values.push(line.slice(eq + 1));
    fields.set(key, values);
  }
  return fields;
}

/** DNS names from the subjectAltName extension ("DNS:a, DNS:b"). */
export function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}
