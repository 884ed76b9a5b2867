// Errors that reach the Engine API. SwarmKit's control API answers gRPC statuses, which the
// daemon passes through as `rpc error: code = <Code> desc = <text>` with an HTTP status chosen
// from the code (moby errdefs). Daemon-level errors carry their own text and status.

export type GrpcCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'PermissionDenied'
  | 'Unavailable'
  | 'DeadlineExceeded'
  | 'Unknown'
  | 'Internal'
  | 'Unimplemented';

const HTTP_STATUS: Record<GrpcCode, number> = {
  InvalidArgument: 400,
  FailedPrecondition: 400,
  NotFound: 404,
  AlreadyExists: 409,
  PermissionDenied: 403,
  Unavailable: 503,
  DeadlineExceeded: 500,
  Unknown: 500,
  Internal: 500,
  Unimplemented: 501,
};

/** An error with the HTTP status and the exact message the Engine API answers. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { statusCode: number; message: string } {
    return { statusCode: this.statusCode, message: this.message };
  }
}

/** No link to that manager came up: the request was never sent, so it is safe to retry elsewhere. */
export class ManagerUnreachable extends ApiError {
  constructor(addr: string, reason: string) {
    super(503, `rpc error: code = Unavailable desc = manager ${addr} is unreachable: ${reason}`);
  }
}

/** A SwarmKit control API error as the daemon relays it. */
export function grpcError(code: GrpcCode, desc: string): ApiError {
  return new ApiError(HTTP_STATUS[code], `rpc error: code = ${code} desc = ${desc}`);
}

export const notFound = (kind: string, ref: string) => new ApiError(404, `${kind} ${ref} not found`);

/** Daemon texts (swarm-facts §9.3, §2.3; MB:daemon/cluster/errors.go). */
export const DAEMON = {
  alreadyInSwarm: () =>
    new ApiError(503, 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.'),
  notInSwarm: () => new ApiError(503, 'This node is not part of a swarm'),
  notManager: () =>
    new ApiError(
      503,
      'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
    ),
  workerCannotControl: () =>
    new ApiError(
      503,
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    ),
  locked: () =>
    new ApiError(
      503,
      'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.',
    ),
  noLeader: () =>
    new ApiError(
      500,
      "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
    ),
  deadline: () => new ApiError(500, 'rpc error: code = DeadlineExceeded desc = context deadline exceeded'),
  outOfSequence: () => new ApiError(500, 'rpc error: code = Unknown desc = update out of sequence'),
  invalidJoinToken: () => grpcError('InvalidArgument', 'A valid join token is necessary to join this cluster'),
};

/** Maps anything thrown inside a handler to an ApiError, keeping ApiErrors as they are. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && 'statusCode' in e && 'message' in e) {
    const { statusCode, message } = e as { statusCode: number; message: string };
    if (typeof statusCode === 'number' && typeof message === 'string') return new ApiError(statusCode, message);
  }
  return new ApiError(500, e instanceof Error ? e.message : String(e));
}
