// What the node needs to know about its own certificate, read with Node's built-in X.509
// parser (the same the transport uses for peers), so a worker need not load pki's X.509 stack.

import { identityFromCertificate } from '@swarmlab/transport';
import { X509Certificate } from 'node:crypto';

export interface CertInfo {
  nodeId: string;
  role: 'manager' | 'worker';
  clusterId: string;
  notBefore: Date;
  notAfter: Date;
}

export function certInfo(pem: string): CertInfo {
  const cert = new X509Certificate(pem);
  const id = identityFromCertificate(cert);
  if (typeof id === 'string') throw new Error(`certificates/swarm-node.crt: ${id}`);
  return { nodeId: id.nodeId, role: id.role, clusterId: id.clusterId, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
}

/** Whether the root `caPem` signed the certificate (the leaf, first in `certPem`). */
export function issuedBy(certPem: string, caPem: string): boolean {
  try {
    return new X509Certificate(certPem).verify(new X509Certificate(caPem).publicKey);
  } catch {
    return false;
  }
}
