// Node's WebCrypto and the algorithm parameters SwarmKit uses everywhere: ECDSA P-256 with
// SHA-256. Kept apart from webcrypto.ts so code that needs no X.509 never loads @peculiar/x509.
import { webcrypto } from 'node:crypto';

export const subtle = webcrypto.subtle;

export const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const EC_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Generates an extractable P-256 key pair (extractable so it can be written as PKCS#8). */
export async function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}
