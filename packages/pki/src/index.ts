export { PkiError, type PkiErrorCode } from './errors.js';
export { newIdentityId, isIdentityId } from './ids.js';
export { createRootCA, loadRootCA, rootCADigest, ROOT_CN, ROOT_CA_EXPIRATION_MS, type RootCA } from './rootca.js';
export { verifyCSR } from './csr.js';
export { createNodeKeyAndCSR } from './csr-request.js';
export {
  validateCertExpiry,
  DEFAULT_NODE_CERT_EXPIRY_MS,
  MIN_NODE_CERT_EXPIRY_MS,
  CERT_BACKDATE_MS,
} from './expiry.js';
export { issueNodeCertificate, type IssueNodeCertificateOptions, type IssuedCertificate } from './issue.js';
export { renewalTime } from './renewal.js';
export { parseNodeCertificate, leafCertificate, type NodeCertificateInfo } from './nodecert.js';
export { MANAGER_OU, WORKER_OU, CA_SERVER_NAME, type NodeRole } from './roles.js';
export { decodePemBlocks, encodePem, certificateDersFromPem, type PemBlock } from './pem.js';
export {
  generateJoinToken,
  parseJoinToken,
  checkRemoteCA,
  joinTokensEqual,
  type ParsedJoinToken,
} from './tokens.js';
export { generateUnlockKey, formatUnlockKey, parseUnlockKey, generateKek } from './unlockkey.js';
export {
  generateDataEncryptionKey,
  encryptWithKey,
  decryptWithKey,
  wrapKey,
  unwrapKey,
} from './keywrap.js';
export { encryptPrivateKeyPem, decryptPrivateKeyPem, isEncryptedPrivateKeyPem } from './keypem.js';
export { crossSignRootCA } from './rotation.js';
export { certIssuerInfo, nodeCertIssuerInfo, type CertIssuerInfo } from './tlsinfo.js';
