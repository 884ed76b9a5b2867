// The part of pki that needs no X.509 library: identity IDs, key wrapping, unlock keys, the
// renewal time and the joiner's side of the CSR flow (join tokens, the remote CA check, key and
// CSR). A node that never signs or parses certificates — a worker — imports `@swarmlab/pki/light`
// only and so never loads @peculiar/x509 (~85 ms of CPU and ~3 MB of heap once loaded).

export { PkiError, type PkiErrorCode } from './errors.js';
export { newIdentityId, isIdentityId } from './ids.js';
export { renewalTime } from './renewal.js';
export { generateUnlockKey, formatUnlockKey, parseUnlockKey, generateKek } from './unlockkey.js';
export { generateDataEncryptionKey, encryptWithKey, decryptWithKey, wrapKey, unwrapKey } from './keywrap.js';
export { createNodeKeyAndCSR } from './csr-request.js';
export { parseJoinToken, checkRemoteCA, generateJoinToken, joinTokensEqual, type ParsedJoinToken } from './tokens.js';
export { MIN_NODE_CERT_EXPIRY_MS } from './expiry.js';
