import { PkiError } from './errors.js';
import { decodePemBlocks, toArrayBuffer } from './pem.js';
import { x509 } from './webcrypto.js';

function csrError(message: string, cause?: unknown): PkiError {
  return new PkiError(message, { code: 'INVALID_CSR', cause });
}

/**
 * Parses a CSR, checks it is self-consistent (its signature verifies under its own key) and that
 * the key is ECDSA P-256, and returns only the public key: like SwarmKit's signing policy
 * (CSRWhitelist: PublicKey, PublicKeyAlgorithm, SignatureAlgorithm), nothing else is trusted.
 */
export async function verifiedCsrPublicKey(csrPem: string): Promise<x509.PublicKey> {
  if (typeof csrPem !== 'string' || csrPem.length === 0) throw csrError('CSR must be a non-empty PEM string');
  const block = decodePemBlocks(csrPem).find(
    (b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST',
  );
  if (!block) throw csrError('no CERTIFICATE REQUEST block found in CSR PEM');
  let csr: x509.Pkcs10CertificateRequest;
  let publicKey: x509.PublicKey;
  try {
    csr = new x509.Pkcs10CertificateRequest(toArrayBuffer(block.der));
    publicKey = csr.publicKey;
  } catch (err) {
    throw csrError(`malformed CSR: ${(err as Error).message}`, err);
  }
  if (!isP256(publicKey)) {
    throw csrError(`unsupported CSR key: only ECDSA P-256 is accepted, got ${publicKey.algorithm.name}`);
  }
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (err) {
    throw csrError(`CSR signature could not be checked: ${(err as Error).message}`, err);
  }
  if (!valid) throw csrError('CSR signature is invalid');
  return publicKey;
}

/** Checks a CSR (well-formed, ECDSA P-256, self-signature valid) and returns its SubjectPublicKeyInfo DER. */
export async function verifyCSR(csrPem: string): Promise<Buffer> {
  return Buffer.from((await verifiedCsrPublicKey(csrPem)).rawData);
}

function isP256(publicKey: x509.PublicKey): boolean {
  const algorithm = publicKey.algorithm as Partial<EcKeyAlgorithm>;
  return algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256';
}
