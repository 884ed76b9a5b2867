// One place that binds @peculiar/x509 to Node's WebCrypto (the algorithm parameters SwarmKit uses
// everywhere, ECDSA P-256 with SHA-256, are in algorithms.ts).
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
// The algorithm parameters live in algorithms.ts (no X.509 there); re-exported for the X.509 side.
export { subtle, EC_KEY_ALGORITHM, EC_SIGNING_ALGORITHM, generateEcKeyPair } from './algorithms.js';
