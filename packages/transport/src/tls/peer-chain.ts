import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/**
 * The certificates the peer presented, leaf first. With `rejectUnauthorized: false` OpenSSL does not
 * decide anything for us; we collect the chain and verify it ourselves (see chain.ts).
 */
export function presentedChain(socket: TLSSocket): X509Certificate[] {
  // With no certificate Node returns an empty object, hence the check for `raw`.
  const leaf = socket.getPeerCertificate(true) as Partial<DetailedPeerCertificate> | null;
  if (!leaf?.raw) return [];
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: Partial<DetailedPeerCertificate> | undefined = leaf;
  while (current?.raw && current.fingerprint256 && !seen.has(current.fingerprint256) && chain.length < 8) {
    seen.add(current.fingerprint256);
    try {
      chain.push(new X509Certificate(current.raw));
    } catch {
      break;
    }
    current = current.issuerCertificate;
  }
  return chain;
}
