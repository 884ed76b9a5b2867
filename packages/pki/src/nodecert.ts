import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiError } from './errors.js';
import { certificateDersFromPem, encodePem, toArrayBuffer } from './pem.js';
import { ouToRole, type NodeRole } from './roles.js';
import { x509 } from './webcrypto.js';

export interface NodeCertificateInfo {
  nodeId: string;
  role: NodeRole;
  clusterId: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex serial number of the leaf. */
  serialNumber: string;
  /** The leaf certificate alone, as PEM. */
  leafPem: string;
  /** Intermediates that followed the leaf in the bundle (the cross-signed root during a rotation). */
  issuerPem?: string;
}

function notANodeCert(message: string, cause?: unknown): PkiError {
  return new PkiError(`not a swarm node certificate: ${message}`, { code: 'NOT_A_NODE_CERTIFICATE', cause });
}

/** Reads a node's identity back from its certificate (SwarmKit: CN = node ID, OU = role, O = cluster ID). */
export function parseNodeCertificate(pem: string): NodeCertificateInfo {
  let ders: Buffer[];
  try {
    ders = certificateDersFromPem(pem);
  } catch (err) {
    throw notANodeCert((err as Error).message, err);
  }
  const [leafDer, ...intermediates] = ders;
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(toArrayBuffer(leafDer));
  } catch (err) {
    throw notANodeCert(`malformed certificate: ${(err as Error).message}`, err);
  }
  const subject = cert.subjectName;
  const single = (field: string, label: string): string => {
    const values = subject.getField(field);
    if (values.length !== 1 || values[0].length === 0) {
      throw notANodeCert(`expected exactly one ${label} (${field}) in subject "${cert.subject}"`);
    }
    return values[0];
  };
  const ou = single('OU', 'role');
  const role = ouToRole(ou);
  if (!role) throw notANodeCert(`unknown role OU "${ou}" (expected swarm-manager or swarm-worker)`);
  return {
    nodeId: single('CN', 'node ID'),
    role,
    clusterId: single('O', 'cluster ID'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    serialNumber: cert.serialNumber.toLowerCase(),
    leafPem: encodePem('CERTIFICATE', leafDer),
    ...(intermediates.length > 0 ? { issuerPem: intermediates.map((der) => encodePem('CERTIFICATE', der)).join('') } : {}),
  };
}

/** Node's X509Certificate of the leaf of a bundle, for callers that verify chains or handshakes. */
export function leafCertificate(pem: string): NodeX509Certificate {
  const [der] = certificateDersFromPem(pem);
  try {
    return new NodeX509Certificate(der);
  } catch (err) {
    throw new PkiError(`malformed certificate: ${(err as Error).message}`, { cause: err });
  }
}
