/**
 * Errors a transport call can end with. The codes are gRPC's status names because the node maps them
 * onto the same Docker/SwarmKit error texts ("rpc error: code = Unavailable desc = ...").
 */
export type RpcCode =
  | 'Canceled'
  | 'Unknown'
  | 'InvalidArgument'
  | 'DeadlineExceeded'
  | 'NotFound'
  | 'AlreadyExists'
  | 'PermissionDenied'
  | 'ResourceExhausted'
  | 'FailedPrecondition'
  | 'Aborted'
  | 'OutOfRange'
  | 'Unimplemented'
  | 'Internal'
  | 'Unavailable'
  | 'DataLoss'
  | 'Unauthenticated';

const RPC_CODES: ReadonlySet<string> = new Set<RpcCode>([
  'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange',
  'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
]);

export function isRpcCode(value: unknown): value is RpcCode {
  return typeof value === 'string' && RPC_CODES.has(value);
}

/** A failed call, local (timeout, link down, queue full) or answered by the remote handler. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: RpcCode,
    message: string,
  ) {
    super(message);
  }

  /** The text the Docker CLI prints for a gRPC failure passed through the daemon. */
  toRpcString(): string {
    return `rpc error: code = ${this.code} desc = ${this.message}`;
  }
}

/**
 * Turns whatever a request handler threw into the code and text sent back to the caller. An error
 * that carries a gRPC code keeps it; anything else is `Unknown`, as grpc-go does for plain errors.
 */
export function toWireError(error: unknown): { code: RpcCode; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: isRpcCode(code) ? code : 'Unknown', message: error.message };
  }
  return { code: 'Unknown', message: String(error) };
}
