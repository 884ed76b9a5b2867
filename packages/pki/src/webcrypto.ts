// One place that binds @peculiar/x509 to Node's WebCrypto and holds the
// algorithm parameters SwarmKit uses everywhere: ECDSA P-256 with SHA-256.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
export const subtle = webcrypto.subtle;

export const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const EC_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Generates an extractable P-256 key pair (extractable so it can be written as PKCS#8). */
export async function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}
