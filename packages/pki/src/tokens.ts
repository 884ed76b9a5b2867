import { randomBytes, timingSafeEqual } from 'node:crypto';
import { bytesToBigInt, padLeft, parseBase36, sha256Hex } from './encoding.js';
import { PkiError } from './errors.js';
import { certificateDersFromPem } from './pem.js';

/** SwarmKit ca/config.go constants. */
const GENERATED_SECRET_ENTROPY_BYTES = 16;
const JOIN_TOKEN_BASE = 36;
const MAX_GENERATED_SECRET_LENGTH = 25; // ceil(log(2^128-1, 36))
const BASE36_DIGEST_LEN = 50; // ceil(log(2^256-1, 36))

export interface ParsedJoinToken {
  /** 1 for `SWMTKN-1-…`, 2 for the FIPS-era `SWMTKN-2-<0|1>-…`. */
  version: 1 | 2;
  /** True only for `SWMTKN-2-1-…`: the cluster runs in FIPS mode. */
  fips: boolean;
  /** Expected sha256 of the root CA PEM, lowercase hex (64 chars). */
  digest: string;
  /** The 25-character base36 secret part. */
  secret: string;
}

/**
 * SwarmKit GenerateJoinToken: `SWMTKN-1-<D>-<S>` where D is the sha256 of the exact root CA PEM bytes
 * in base36 (50 chars) and S is 16 random bytes in base36 (25 chars). The manager and worker tokens
 * share D. `fips: true` gives the `SWMTKN-2-1-` form.
 */
export function generateJoinToken(rootCertPem: string, opts: { fips?: boolean } = {}): string {
  if (typeof rootCertPem !== 'string' || rootCertPem.length === 0) {
    throw new PkiError('generateJoinToken needs the root CA certificate PEM');
  }
  const digest = BigInt('0x' + sha256Hex(rootCertPem)).toString(JOIN_TOKEN_BASE);
  const secret = bytesToBigInt(randomBytes(GENERATED_SECRET_ENTROPY_BYTES)).toString(JOIN_TOKEN_BASE);
  const prefix = opts.fips ? 'SWMTKN-2-1' : 'SWMTKN-1';
  return `${prefix}-${padLeft(digest, BASE36_DIGEST_LEN)}-${padLeft(secret, MAX_GENERATED_SECRET_LENGTH)}`;
}

function invalidToken(detail: string): PkiError {
  // SwarmKit's own text is just "invalid join token"; the detail says what was wrong.
  return new PkiError(`invalid join token: ${detail}`, { code: 'INVALID_JOIN_TOKEN' });
}

/** SwarmKit ParseJoinToken: accepts `SWMTKN-1-D-S`, `SWMTKN-2-0-D-S` and `SWMTKN-2-1-D-S` only. */
export function parseJoinToken(token: string): ParsedJoinToken {
  if (typeof token !== 'string') throw invalidToken('not a string');
  const parts = token.split('-');
  if (parts.length < 4 || parts[0] !== 'SWMTKN') throw invalidToken('expected SWMTKN-1-<digest>-<secret>');
  let version: 1 | 2;
  let fips = false;
  if (parts[1] === '1') {
    if (parts.length !== 4) throw invalidToken('a version 1 token has exactly 4 dash-separated parts');
    version = 1;
  } else if (parts[1] === '2') {
    if (parts.length !== 5 || (parts[2] !== '0' && parts[2] !== '1')) {
      throw invalidToken('a version 2 token is SWMTKN-2-<0|1>-<digest>-<secret>');
    }
    version = 2;
    fips = parts[2] === '1';
  } else {
    throw invalidToken(`unknown version "${parts[1]}"`);
  }
  const secret = parts[parts.length - 1];
  const rootDigest = parts[parts.length - 2];
  if (rootDigest.length !== BASE36_DIGEST_LEN || secret.length !== MAX_GENERATED_SECRET_LENGTH) {
    throw invalidToken(`the digest must be ${BASE36_DIGEST_LEN} characters and the secret ${MAX_GENERATED_SECRET_LENGTH}`);
  }
  const digestValue = parseBase36(rootDigest);
  if (digestValue === null) throw invalidToken('the digest is not base36');
  if (parseBase36(secret) === null) throw invalidToken('the secret is not base36');
  const digestHex = digestValue.toString(16);
  // 50 base36 digits can exceed 2^256; a sha256 cannot (digest.Parse rejects it in SwarmKit).
  if (digestHex.length > 64) throw invalidToken('the digest is longer than a sha256');
  return { version, fips, digest: padLeft(digestHex, 64), secret };
}

/**
 * What a joiner does after fetching the root CA over unauthenticated TLS (SwarmKit GetRemoteCA):
 * the sha256 of the exact PEM bytes must equal the token's digest.
 */
export function checkRemoteCA(fetchedPem: string, token: string | ParsedJoinToken): void {
  const parsed = typeof token === 'string' ? parseJoinToken(token) : token;
  if (typeof fetchedPem !== 'string' || sha256Hex(fetchedPem) !== parsed.digest) {
    throw new PkiError(`remote CA does not match fingerprint. Expected: ${parsed.digest}`, {
      code: 'CA_FINGERPRINT_MISMATCH',
    });
  }
  // SwarmKit then parses the bundle; a matching digest over something that is not a certificate is still an error.
  certificateDersFromPem(fetchedPem);
}

/**
 * Constant-time token comparison, as the CA does against the cluster's tokens
 * (subtle.ConstantTimeCompare: different lengths are simply unequal).
 */
export function joinTokensEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const bufA = Buffer.from(a, 'utf8');
  const bufB = Buffer.from(b, 'utf8');
  if (bufA.length !== bufB.length) return false;
  return timingSafeEqual(bufA, bufB);
}

