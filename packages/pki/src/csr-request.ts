// The requester's side of the CSR flow, with Node's crypto only (no X.509 library): a worker joins
// and renews its certificate without ever loading @peculiar/x509, which the CA side needs.

import { generateKeyPair as generateKeyPairCallback, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { derBitString, derContext, derInteger, derOid, derSequence } from './der.js';
import { encodePem } from './pem.js';

const generateKeyPair = promisify(generateKeyPairCallback);
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/**
 * SwarmKit GenerateNewCSR: a fresh ECDSA P-256 key (PKCS#8 PEM) and a PKCS#10 request signed by it.
 * The CSR carries no subject and no attributes: the CA decides the node's identity, not the node.
 */
export async function createNodeKeyAndCSR(): Promise<{ keyPem: string; csrPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ec', { namedCurve: 'P-256' });
  // CertificationRequestInfo: version 0, an empty Name, the SubjectPublicKeyInfo, no attributes.
  const info = derSequence(derInteger(0), derSequence(), publicKey.export({ format: 'der', type: 'spki' }), derContext(0, Buffer.alloc(0)));
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  const csr = derSequence(info, derSequence(derOid(ECDSA_WITH_SHA256)), derBitString(signature));
  return {
    keyPem: encodePem('PRIVATE KEY', privateKey.export({ format: 'der', type: 'pkcs8' })),
    csrPem: encodePem('CERTIFICATE REQUEST', csr),
  };
}
