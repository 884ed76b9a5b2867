import { createCipheriv, createPrivateKey, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import { derInteger, derOctetString, derOid, derSequence } from './der.js';
import { PkiError } from './errors.js';
import { assertP256, decodePemBlocks, encodePem, privateKeyObjectFromPem } from './pem.js';

// SwarmKit ca/pkcs8: PBES2 with PBKDF2-HMAC-SHA1 (the default PRF, so not written), 2048 iterations,
// an 8-byte salt and AES-256-CBC; the raw KEK bytes are the password.
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';
const PBKDF2_ITERATIONS = 2048;
const SALT_BYTES = 8;
const AES256_KEY_BYTES = 32;
const AES_IV_BYTES = 16;

const ENCRYPTED_LABEL = 'ENCRYPTED PRIVATE KEY';

function passphraseBytes(passphrase: Buffer | string): Buffer {
  if (typeof passphrase === 'string') return Buffer.from(passphrase, 'utf8');
  if (Buffer.isBuffer(passphrase)) return passphrase;
  throw new PkiError('passphrase must be a Buffer or a string');
}

/**
 * Encrypts a private key PEM into a PKCS#8 `ENCRYPTED PRIVATE KEY` PEM exactly as SwarmKit's
 * KeyReadWriter does under a KEK. `headers` (e.g. raft-dek, kek-version) are written into the block.
 */
export function encryptPrivateKeyPem(
  keyPem: string,
  passphrase: Buffer | string,
  headers: Record<string, string> = {},
): string {
  const password = passphraseBytes(passphrase);
  if (password.length === 0) throw new PkiError('passphrase must not be empty');
  const key = privateKeyObjectFromPem(keyPem);
  assertP256(key, 'private key');
  const plain = key.export({ format: 'der', type: 'pkcs8' });

  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(AES_IV_BYTES);
  const derivedKey = pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, AES256_KEY_BYTES, 'sha1');
  const cipher = createCipheriv('aes-256-cbc', derivedKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);

  const encryptedPrivateKeyInfo = derSequence(
    derSequence(
      derOid(OID_PBES2),
      derSequence(
        derSequence(derOid(OID_PBKDF2), derSequence(derOctetString(salt), derInteger(PBKDF2_ITERATIONS))),
        derSequence(derOid(OID_AES256_CBC), derOctetString(iv)),
      ),
    ),
    derOctetString(encrypted),
  );
  return encodePem(ENCRYPTED_LABEL, encryptedPrivateKeyInfo, headers);
}

export function isEncryptedPrivateKeyPem(pem: string): boolean {
  return typeof pem === 'string' && decodePemBlocks(pem).some((b) => b.label === ENCRYPTED_LABEL);
}

/**
 * Decrypts an `ENCRYPTED PRIVATE KEY` PEM (any PBES2 parameters) back to an unencrypted PKCS#8 PEM.
 * A wrong passphrase is a PkiError with code INVALID_KEK, never a garbage key.
 */
export function decryptPrivateKeyPem(pem: string, passphrase: Buffer | string): string {
  const block = typeof pem === 'string' ? decodePemBlocks(pem).find((b) => b.label === ENCRYPTED_LABEL) : undefined;
  if (!block) throw new PkiError('no ENCRYPTED PRIVATE KEY block found in PEM');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: 'der', type: 'pkcs8', passphrase: passphraseBytes(passphrase) });
  } catch (err) {
    throw new PkiError('unable to decrypt private key: invalid key provided', { code: 'INVALID_KEK', cause: err });
  }
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}
