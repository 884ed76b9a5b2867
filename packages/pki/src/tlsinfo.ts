import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiError } from './errors.js';
import { certificateDersFromPem, toArrayBuffer } from './pem.js';
import { x509 } from './webcrypto.js';

/**
 * The issuer identity Docker shows as TLSInfo.CertIssuerSubject / CertIssuerPublicKey: the raw
 * subject DER and the raw SubjectPublicKeyInfo DER of a CA certificate, base64-encoded.
 */
export interface CertIssuerInfo {
  certIssuerSubject: string;
  certIssuerPublicKey: string;
}

function parse(der: Buffer): { peculiar: x509.X509Certificate; node: NodeX509Certificate } {
  try {
    return { peculiar: new x509.X509Certificate(toArrayBuffer(der)), node: new NodeX509Certificate(der) };
  } catch (err) {
    throw new PkiError(`malformed certificate: ${(err as Error).message}`, { cause: err });
  }
}

function infoOf(cert: x509.X509Certificate): CertIssuerInfo {
  return {
    certIssuerSubject: Buffer.from(cert.subjectName.toArrayBuffer()).toString('base64'),
    certIssuerPublicKey: Buffer.from(cert.publicKey.rawData).toString('base64'),
  };
}

/** Issuer info of a CA certificate (the first certificate of `caCertPem`). */
export function certIssuerInfo(caCertPem: string): CertIssuerInfo {
  return infoOf(parse(certificateDersFromPem(caCertPem)[0]).peculiar);
}

/**
 * Issuer info of a node certificate bundle: the certificate that actually signed the leaf, looked for
 * among the bundle's intermediates, then the trust roots. During a root rotation this is the
 * cross-signed new root, so the reconciler sees which nodes already carry new-key certificates.
 */
export function nodeCertIssuerInfo(nodeCertPem: string, trustRootPem: string): CertIssuerInfo {
  const [leafDer, ...intermediates] = certificateDersFromPem(nodeCertPem);
  const leaf = parse(leafDer).node;
  for (const der of [...intermediates, ...certificateDersFromPem(trustRootPem)]) {
    const candidate = parse(der);
    if (leaf.checkIssued(candidate.node) && leaf.verify(candidate.node.publicKey)) return infoOf(candidate.peculiar);
  }
  throw new PkiError('the node certificate was not signed by any certificate of its bundle or of the trust roots');
}
