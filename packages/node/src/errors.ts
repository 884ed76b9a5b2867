// Errors that reach the Engine API, as thrown Errors. Their texts and statuses come from the
// catalogue in @swarmlab/api (SwarmKit's gRPC statuses relayed as `rpc error: code = … desc = …`,
// and the daemon's own errors).

import {
  DEADLINE_EXCEEDED,
  grpcError as apiGrpcError,
  INVALID_JOIN_TOKEN,
  NO_LEADER,
  NO_SWARM,
  NOT_MANAGER_INACTIVE,
  NOT_MANAGER_WORKER,
  SWARM_EXISTS,
  SWARM_LOCKED,
  UPDATE_OUT_OF_SEQUENCE,
  type DaemonError,
  type GrpcCode,
} from '@swarmlab/api';

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

/** Throws one of the daemon's errors from the catalogue in @swarmlab/api (the one place the texts live). */
export function daemon(e: DaemonError): ApiError {
  return new ApiError(e.statusCode, e.message);
}

/** A SwarmKit control API error as the daemon relays it. */
export function grpcError(code: GrpcCode, desc: string): ApiError {
  return daemon(apiGrpcError(code, desc));
}

/** The daemon texts the node raises most (swarm-facts §9.3, §2.3, §1.4). */
export const DAEMON = {
  alreadyInSwarm: () => daemon(SWARM_EXISTS),
  notInSwarm: () => daemon(NO_SWARM),
  notManager: () => daemon(NOT_MANAGER_INACTIVE),
  workerCannotControl: () => daemon(NOT_MANAGER_WORKER),
  locked: () => daemon(SWARM_LOCKED),
  noLeader: () => daemon(NO_LEADER),
  deadline: () => daemon(DEADLINE_EXCEEDED),
  outOfSequence: () => daemon(UPDATE_OUT_OF_SEQUENCE),
  invalidJoinToken: () => daemon(INVALID_JOIN_TOKEN),
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
