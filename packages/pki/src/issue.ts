import { PkiError } from './errors.js';
import { assertValidDate, backdatedNotBefore, randomSerialHex } from './certfields.js';
import { verifiedCsrPublicKey } from './csr.js';
import { CERT_BACKDATE_MS, effectiveCertExpiry } from './expiry.js';
import { encodePem } from './pem.js';
import { CA_SERVER_NAME, roleToOU, type NodeRole } from './roles.js';
import { caSigner, type RootCA } from './rootca.js';
import { EC_SIGNING_ALGORITHM, x509 } from './webcrypto.js';

export interface IssueNodeCertificateOptions {
  nodeId: string;
  role: NodeRole;
  clusterId: string;
  /** Requested validity; below 1 h (or absent) it silently becomes 90 days, as in SwarmKit's signer. */
  expiryMs?: number;
  now?: Date;
  /** During a root rotation: the cross-signed new root, appended after the leaf. */
  intermediatePem?: string;
}

export interface IssuedCertificate {
  /** The leaf, followed by the intermediate when one was given (what swarm-node.crt holds). */
  certPem: string;
  /** The leaf alone. */
  leafPem: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex serial number. */
  serialNumber: string;
}

const NODE_KEY_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
const NODE_EXT_KEY_USAGE = [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];

/** X.520 upper bound for CN/OU/O; longer values would make a certificate other stacks reject. */
const MAX_NAME_LENGTH = 64;

function checkName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH || /[\u0000-\u001f]/.test(value)) {
    throw new PkiError(`${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} printable characters`);
  }
}

/**
 * Signs a node certificate from a CSR the way SwarmKit's CA does (ca.RootCA.ParseValidateAndSignCSR
 * with SigningPolicy): only the CSR's public key is used; subject CN=nodeId, OU=role, O=clusterId;
 * DNS SANs [OU, nodeId] (+ swarm-ca for managers); digitalSignature+keyEncipherment,
 * serverAuth+clientAuth; NotBefore = now (to the minute) - 1 h, NotAfter = NotBefore + expiry + 1 h.
 */
export async function issueNodeCertificate(
  ca: RootCA,
  csrPem: string,
  opts: IssueNodeCertificateOptions,
): Promise<IssuedCertificate> {
  if (!opts || typeof opts !== 'object') throw new PkiError('issue options are required');
  checkName(opts.nodeId, 'nodeId');
  checkName(opts.clusterId, 'clusterId');
  const ou = roleToOU(opts.role);
  const now = opts.now ?? new Date();
  assertValidDate(now, 'now');
  const intermediatePem = opts.intermediatePem === undefined ? undefined : normalizeIntermediate(opts.intermediatePem);

  const [publicKey, signer] = await Promise.all([verifiedCsrPublicKey(csrPem), caSigner(ca)]);

  const notBefore = backdatedNotBefore(now, CERT_BACKDATE_MS);
  const notAfter = new Date(notBefore.getTime() + effectiveCertExpiry(opts.expiryMs) + CERT_BACKDATE_MS);
  const dnsNames = opts.role === 'manager' ? [ou, opts.nodeId, CA_SERVER_NAME] : [ou, opts.nodeId];
  const serialNumber = randomSerialHex();

  // Extension order follows Go's x509.CreateCertificate, so `openssl x509 -text` reads like a real node cert.
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(NODE_KEY_USAGE, true),
    new x509.ExtendedKeyUsageExtension(NODE_EXT_KEY_USAGE),
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  if (signer.subjectKeyIdHex) extensions.push(new x509.AuthorityKeyIdentifierExtension(signer.subjectKeyIdHex));
  extensions.push(new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    // pkix.Name order as Go writes it: O, OU, CN.
    subject: [{ O: [opts.clusterId] }, { OU: [ou] }, { CN: [opts.nodeId] }],
    issuer: signer.subject,
    notBefore,
    notAfter,
    publicKey,
    signingKey: signer.signingKey,
    signingAlgorithm: EC_SIGNING_ALGORITHM,
    extensions,
  });
  const leafPem = encodePem('CERTIFICATE', cert.rawData);
  return {
    certPem: intermediatePem ? leafPem + intermediatePem : leafPem,
    leafPem,
    notBefore,
    notAfter,
    serialNumber: cert.serialNumber.toLowerCase(),
  };
}

function normalizeIntermediate(pem: string): string {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new PkiError('intermediatePem must be a PEM certificate');
  }
  return pem.endsWith('\n') ? pem : pem + '\n';
}
