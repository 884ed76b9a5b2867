import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiError } from './errors.js';
import { sha256Hex } from './encoding.js';
import { assertValidDate, backdatedNotBefore, randomSerialHex } from './certfields.js';
import { certificateDersFromPem, encodePem, exportPkcs8Pem, importSigningKey, publicSpkiFromPrivatePem, toArrayBuffer } from './pem.js';
import { EC_SIGNING_ALGORITHM, generateEcKeyPair, x509 } from './webcrypto.js';

/** SwarmKit ca.RootCAExpiration: 630720000 s = 20 years. */
export const ROOT_CA_EXPIRATION_MS = 630_720_000 * 1000;
/** SwarmKit ca.DefaultRootCN. */
export const ROOT_CN = 'swarm-ca';
/** cfssl's default backdate when a profile sets none (used for `initca`). */
const CFSSL_DEFAULT_BACKDATE_MS = 5 * 60_000;

export interface RootCA {
  /** The root certificate PEM; its exact bytes are what join tokens and digests hash. */
  certPem: string;
  /** PKCS#8 PEM, unencrypted: the key lives only in the replicated store, never on disk. */
  keyPem: string;
  /** "sha256:<hex>" over the exact certPem bytes (as `docker swarm ca` shows it). */
  digest: string;
}

/** Digest of a root bundle as `docker swarm ca` prints it: "sha256:<hex>" over the exact PEM bytes. */
export function rootCADigest(pem: string): string {
  return 'sha256:' + sha256Hex(pem);
}

/**
 * Creates a root CA the way `cfssl initca` does for SwarmKit: ECDSA P-256, CN=swarm-ca,
 * NotBefore = now (rounded to the minute) - 5 min, NotAfter = NotBefore + 20 years,
 * key usage certSign+cRLSign and basicConstraints CA:TRUE (both critical), subject key id.
 * (A real Docker root carries no digitalSignature usage; we match the real certificate.)
 */
export async function createRootCA(opts: { now?: Date } = {}): Promise<RootCA> {
  const now = opts.now ?? new Date();
  assertValidDate(now, 'now');
  const keys = await generateEcKeyPair();
  const notBefore = backdatedNotBefore(now, CFSSL_DEFAULT_BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: [{ CN: [ROOT_CN] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + ROOT_CA_EXPIRATION_MS),
    keys,
    signingAlgorithm: EC_SIGNING_ALGORITHM,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = encodePem('CERTIFICATE', cert.rawData);
  return { certPem, keyPem: await exportPkcs8Pem(keys.privateKey), digest: rootCADigest(certPem) };
}

/**
 * Builds a RootCA from stored PEMs, checking that the certificate is a CA and that the key
 * belongs to it (SwarmKit's NewRootCA refuses a mismatched pair too).
 */
export function loadRootCA(certPem: string, keyPem: string): RootCA {
  const [der] = certificateDersFromPem(certPem);
  let cert: NodeX509Certificate;
  try {
    cert = new NodeX509Certificate(der);
  } catch (err) {
    throw new PkiError(`invalid root CA certificate: ${(err as Error).message}`, { cause: err });
  }
  if (!cert.ca) throw new PkiError('root CA certificate is not a CA certificate (basicConstraints CA:TRUE missing)');
  const certSpki = cert.publicKey.export({ format: 'der', type: 'spki' });
  if (!certSpki.equals(publicSpkiFromPrivatePem(keyPem))) {
    throw new PkiError('certificate key mismatch: the root CA key does not belong to the root CA certificate');
  }
  return { certPem, keyPem, digest: rootCADigest(certPem) };
}

/** What a signer needs from a RootCA, computed once per RootCA object. */
export interface CASigner {
  signingKey: CryptoKey;
  /** The CA certificate's raw subject, copied verbatim as the issuer of what it signs. */
  subject: x509.Name;
  /** The CA's subject key id (hex), used as the authority key id of what it signs. */
  subjectKeyIdHex: string | undefined;
  cert: x509.X509Certificate;
}

interface CachedSigner {
  certPem: string;
  keyPem: string;
  signer: Promise<CASigner>;
}

// Importing the key and parsing the certificate once per RootCA keeps issuance fast; the PEMs are
// compared on every use so a RootCA object that was modified in place is never signed with stale material.
const signers = new WeakMap<RootCA, CachedSigner>();

export function caSigner(ca: RootCA): Promise<CASigner> {
  if (!ca || typeof ca.certPem !== 'string' || typeof ca.keyPem !== 'string') {
    return Promise.reject(new PkiError('a RootCA with certPem and keyPem is required to sign'));
  }
  const cached = signers.get(ca);
  if (cached && cached.certPem === ca.certPem && cached.keyPem === ca.keyPem) return cached.signer;
  const signer = buildSigner(ca.certPem, ca.keyPem);
  signers.set(ca, { certPem: ca.certPem, keyPem: ca.keyPem, signer });
  signer.catch(() => signers.delete(ca));
  return signer;
}

async function buildSigner(certPem: string, keyPem: string): Promise<CASigner> {
  const [der] = certificateDersFromPem(certPem);
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(toArrayBuffer(der));
  } catch (err) {
    throw new PkiError(`invalid root CA certificate: ${(err as Error).message}`, { cause: err });
  }
  const signingKey = await importSigningKey(keyPem);
  if (!publicSpkiFromPrivatePem(keyPem).equals(Buffer.from(cert.publicKey.rawData))) {
    throw new PkiError('certificate key mismatch: the root CA key does not belong to the root CA certificate');
  }
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return {
    signingKey,
    subject: new x509.Name(cert.subjectName.toArrayBuffer()),
    subjectKeyIdHex: ski?.keyId,
    cert,
  };
}
