/** Machine-readable reasons, so callers can map failures to Docker's own texts. */
export type PkiErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CSR'
  | 'INVALID_CERT_EXPIRY'
  | 'NOT_A_NODE_CERTIFICATE'
  | 'INVALID_JOIN_TOKEN'
  | 'CA_FINGERPRINT_MISMATCH'
  | 'INVALID_UNLOCK_KEY'
  | 'INVALID_KEK';

/** Every error this package throws on bad input is a PkiError, so callers can tell them apart from bugs. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;

  constructor(message: string, options: { code?: PkiErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PkiError';
    this.code = options.code ?? 'INVALID_INPUT';
  }
}
