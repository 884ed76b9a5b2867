// pki's CA machinery (X.509 through @peculiar/x509: ~85 ms to load and ~3 MB of heap). The daemon
// imports this module only to create a CA and sign (swarm init) or to read and write an encrypted
// key file (autolock, managers); a worker never does either, so it never loads it.

import { certIssuerInfo } from '@swarmlab/pki';

export { createRootCA, decryptPrivateKeyPem, encryptPrivateKeyPem, issueNodeCertificate } from '@swarmlab/pki';

/** Docker's TLSInfo: the trust root and the issuer's subject and public key (base64 DER). */
export function tlsInfo(trustRoot: string) {
  const i = certIssuerInfo(trustRoot);
  return { TrustRoot: trustRoot, CertIssuerSubject: i.certIssuerSubject, CertIssuerPublicKey: i.certIssuerPublicKey };
}
