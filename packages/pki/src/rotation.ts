import { PkiError } from './errors.js';
import { certificateDersFromPem, encodePem, toArrayBuffer } from './pem.js';
import { caSigner, type RootCA } from './rootca.js';
import { EC_SIGNING_ALGORITHM, x509 } from './webcrypto.js';

const AKI_OID = '2.5.29.35';

/**
 * SwarmKit RootCA.CrossSignCACertificate: a copy of the new root (same subject, public key, serial,
 * NotBefore, NotAfter and extensions) issued and signed by the old root. During a root rotation the
 * signer appends it to every leaf signed by the new key, so nodes still trusting only the old root
 * validate `leaf + cross-signed` chains.
 *
 * One deliberate difference from Go: the copy always gets an authority key id naming the old root.
 * Go omits it because issuer and subject are both CN=swarm-ca, but OpenSSL (under Node's TLS) then
 * takes the copy for a self-signed root and stops building the chain at it ("self-signed
 * certificate in certificate chain"); with the AKI it looks for, and finds, the old root.
 */
export async function crossSignRootCA(oldCA: RootCA, newCA: Pick<RootCA, 'certPem'>): Promise<string> {
  if (!newCA || typeof newCA.certPem !== 'string') throw new PkiError('crossSignRootCA needs the new root certificate');
  const [newDer] = certificateDersFromPem(newCA.certPem);
  let newRoot: x509.X509Certificate;
  try {
    newRoot = new x509.X509Certificate(toArrayBuffer(newDer));
  } catch (err) {
    throw new PkiError(`invalid new root certificate: ${(err as Error).message}`, { cause: err });
  }
  const basic = newRoot.getExtension(x509.BasicConstraintsExtension);
  if (!basic?.ca) throw new PkiError('the certificate to cross-sign is not a CA certificate');

  const signer = await caSigner(oldCA);
  const subject = new x509.Name(newRoot.subjectName.toArrayBuffer());
  const extensions = newRoot.extensions.filter((ext) => ext.type !== AKI_OID);
  if (signer.subjectKeyIdHex) {
    extensions.push(new x509.AuthorityKeyIdentifierExtension(signer.subjectKeyIdHex));
  }
  const crossSigned = await x509.X509CertificateGenerator.create({
    serialNumber: newRoot.serialNumber,
    subject,
    issuer: signer.subject,
    notBefore: newRoot.notBefore,
    notAfter: newRoot.notAfter,
    publicKey: newRoot.publicKey,
    signingKey: signer.signingKey,
    signingAlgorithm: EC_SIGNING_ALGORITHM,
    extensions,
  });
  return encodePem('CERTIFICATE', crossSigned.rawData);
}
