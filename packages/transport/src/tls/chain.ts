import { X509Certificate } from 'node:crypto';

const MAX_CHAIN_DEPTH = 5;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';

export type CertificatePurpose = 'client' | 'server';

/** Splits a PEM bundle into certificates; throws with a clear message on anything unparsable. */
export function parseCertificateBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${what} contains no PEM certificate`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new Error(`${what}: certificate ${index + 1} is not valid: ${(error as Error).message}`);
    }
  });
}

/**
 * Verifies a presented chain (leaf first, then whatever intermediates the peer sent) against the
 * trusted roots at `now`. The time comes from the node's emulated clock, not from OpenSSL's wall
 * clock, so certificate expiry follows clock faults and the time scale as it would follow a skewed
 * system clock on a real host. Returns null when the chain is good, else Go's x509 error text.
 */
export function verifyChain(
  presented: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: Date,
  purpose: CertificatePurpose,
): string | null {
  const leaf = presented[0];
  if (!leaf) return 'no certificate presented';
  const usage = leaf.keyUsage;
  const wanted = purpose === 'client' ? CLIENT_AUTH_OID : SERVER_AUTH_OID;
  if (usage !== undefined && !usage.includes(wanted)) return 'x509: certificate specifies an incompatible key usage';

  const pool = presented.slice(1);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const expired = validityError(current, now);
    if (expired) return expired;
    if (depth > 0 && roots.some((root) => root.fingerprint256 === current.fingerprint256)) return null;
    const root = roots.find((candidate) => issuedBy(current, candidate));
    if (root) return validityError(root, now);
    const index = pool.findIndex((candidate) => candidate.ca && issuedBy(current, candidate));
    if (index < 0) break;
    current = pool[index];
    pool.splice(index, 1);
  }
  return 'x509: certificate signed by unknown authority';
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validityError(cert: X509Certificate, now: Date): string | null {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) {
    return `x509: certificate has expired or is not yet valid: current time ${goTime(now)} is before ${goTime(notBefore)}`;
  }
  if (now > notAfter) {
    return `x509: certificate has expired or is not yet valid: current time ${goTime(now)} is after ${goTime(notAfter)}`;
  }
  return null;
}

/** Go formats these times as RFC 3339 in UTC without fractions. */
function goTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
