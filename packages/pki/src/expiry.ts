import { PkiError } from './errors.js';

const HOUR_MS = 3_600_000;

/** SwarmKit ca.DefaultNodeCertExpiration: 2160 h = 90 days. */
export const DEFAULT_NODE_CERT_EXPIRY_MS = 2160 * HOUR_MS;
/** SwarmKit ca.MinNodeCertExpiration. */
export const MIN_NODE_CERT_EXPIRY_MS = HOUR_MS;
/** SwarmKit ca.CertBackdate: NotBefore lies this far in the past to absorb clock skew. */
export const CERT_BACKDATE_MS = HOUR_MS;

/**
 * Control-API check on a requested node certificate expiry (cluster update): below one hour is an
 * InvalidArgument with SwarmKit's exact text.
 */
export function validateCertExpiry(ms: number): void {
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new PkiError('certificate expiry must be a number of milliseconds', { code: 'INVALID_CERT_EXPIRY' });
  }
  if (ms < MIN_NODE_CERT_EXPIRY_MS) {
    throw new PkiError('minimum certificate expiry time is: 1h0m0s', { code: 'INVALID_CERT_EXPIRY' });
  }
}

/** Inside the signer (SwarmKit SigningPolicy) a too-short or missing expiry silently becomes 90 days. */
export function effectiveCertExpiry(ms: number | undefined): number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= MIN_NODE_CERT_EXPIRY_MS ? ms : DEFAULT_NODE_CERT_EXPIRY_MS;
}
