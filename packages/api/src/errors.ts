// Errors of the Engine API: the two error classes a client sees, and the daemon's exact texts with
// their HTTP statuses so a server answers as dockerd does.
//
// Source tags: OBSERVED = reference/real-swarm/api-error-responses.txt (a live 20.10 daemon);
// FACTS §n = reference/swarm-facts.md; MB:/SK: = moby/moby and moby/swarmkit source files.
//
// gRPC errors from SwarmKit reach the client as "rpc error: code = <Code> desc = <text>", with the
// HTTP status moby's api/server/httpstatus derives from the code (see GRPC_HTTP_STATUS).

import { goQuote } from './go-strconv.js';
import type { ErrorResponse } from './types/common.js';

/** The daemon answered with status ≥ 400; `message` is its `{"message": …}` text. */
export class DockerApiError extends Error {
  override readonly name = 'DockerApiError';

  constructor(
    readonly statusCode: number,
    message: string,
    /** The request that failed, when the error came from a client call. */
    readonly request?: { method: string; path: string },
  ) {
    super(message);
  }

  /** The body a server sends for this error. */
  toJSON(): ErrorResponse {
    return { message: this.message };
  }
}

/**
 * No HTTP answer: connection refused or reset, timeout, abort. When `mayHaveReachedServer` is true
 * the request may have been applied (an "indeterminate" outcome for a history checker); it is false
 * only when the connection was never established.
 */
export class DockerConnectionError extends Error {
  override readonly name = 'DockerConnectionError';

  constructor(
    message: string,
    /** ECONNREFUSED, ECONNRESET, ETIMEDOUT, ABORTED, … */
    readonly code: string,
    readonly mayHaveReachedServer: boolean,
    readonly request: { method: string; path: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An error text with the status the daemon sends it with. */
export interface DaemonError {
  readonly statusCode: number;
  readonly message: string;
}

/** Builds the throwable error for a catalogue entry. */
export function apiError(error: DaemonError): DockerApiError {
  return new DockerApiError(error.statusCode, error.message);
}

function daemonError(statusCode: number, message: string): DaemonError {
  return Object.freeze({ statusCode, message });
}

/** gRPC status codes by the names Go prints. */
export type GrpcCode =
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

/** MB:api/server/httpstatus/status.go statusCodeFromGRPCError. */
export const GRPC_HTTP_STATUS: Readonly<Record<GrpcCode, number>> = Object.freeze({
  Canceled: 500,
  Unknown: 500,
  InvalidArgument: 400,
  DeadlineExceeded: 500,
  NotFound: 404,
  AlreadyExists: 409,
  PermissionDenied: 403,
  ResourceExhausted: 500,
  FailedPrecondition: 400,
  Aborted: 500,
  OutOfRange: 400,
  Unimplemented: 501,
  Internal: 500,
  Unavailable: 503,
  DataLoss: 500,
  Unauthenticated: 401,
});

/** A SwarmKit gRPC error as the daemon passes it through. */
export function grpcError(code: GrpcCode, desc: string): DaemonError {
  return daemonError(GRPC_HTTP_STATUS[code], `rpc error: code = ${code} desc = ${desc}`);
}

/** Go's %q, which the daemon's messages use for values a client sent. */
const quote = goQuote;

// ---- Swarm membership (MB:daemon/cluster/errors.go, cluster.go errNoManager, swarm.go) -------

/** Leave while not in a swarm. FACTS §9.3. */
export const NO_SWARM = daemonError(503, 'This node is not part of a swarm');
/** Init or join while in a swarm. OBSERVED (POST /swarm/init, 503). */
export const SWARM_EXISTS = daemonError(
  503,
  'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.',
);
/** Join did not finish within 20 s; it goes on in the background. MB:errors.go. */
export const SWARM_JOIN_TIMEOUT = daemonError(
  503,
  'Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the "docker info" command to see the current swarm status of your node.',
);
/** Any manager endpoint on a locked manager. FACTS §2.3. */
export const SWARM_LOCKED = daemonError(
  503,
  'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.',
);
export const SWARM_CERTIFICATES_EXPIRED = daemonError(
  503,
  'Swarm certificates have expired. To replace them, leave the swarm and join again.',
);
/** Manager endpoint on a node outside any swarm. README §4.3 (node ls, inactive). MB:cluster.go. */
export const NOT_MANAGER_INACTIVE = daemonError(
  503,
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
);
/** Manager endpoint on a worker. FACTS §9.3. */
export const NOT_MANAGER_WORKER = daemonError(
  503,
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
);
/** A manager whose manager component is not up yet (e.g. still joining). MB:cluster.go errNoManager. */
export const NOT_MANAGER_PREPARING = daemonError(
  503,
  'This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster.',
);
/** Leave without --force on a locked node. FACTS §2.3. */
export const LEAVE_LOCKED = daemonError(
  503,
  'Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.',
);

/**
 * Leave without --force on a manager (MB:daemon/cluster/swarm.go Leave). `managers` is the
 * answer of the node's own reachability view, counting itself; leave it out when this node is not
 * an active manager (e.g. it lost its leader), which gives the generic consensus warning.
 */
export function leaveAsManager(managers?: { reachable: number; unreachable: number }): DaemonError {
  let msg = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
  if (managers) {
    const { reachable, unreachable } = managers;
    // MB:daemon/cluster/utils.go removingManagerCausesLossOfQuorum / isLastManager.
    if (reachable - 2 <= unreachable) {
      if (reachable === 1 && unreachable === 0) {
        msg += 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ';
        return daemonError(503, msg);
      }
      msg += `Removing this node leaves ${reachable - 1} managers out of ${reachable + unreachable}. Without a Raft quorum your swarm will be inaccessible. `;
    }
  } else {
    msg += 'Doing so may lose the consensus of your cluster. ';
  }
  msg +=
    'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';
  return daemonError(503, msg);
}

/** POST /swarm/unlock on an unlocked manager. README §4.2 (409). MB:errors.go notLockedError. */
export const SWARM_NOT_LOCKED = daemonError(409, 'swarm is not locked');
/** POST /swarm/unlock with the wrong key. README §4.2 (401). MB:errors.go invalidUnlockKey. */
export const INVALID_UNLOCK_KEY = daemonError(401, 'swarm could not be unlocked: invalid key provided');
/** An unlock key without the SWMKEY-1- prefix or not base64. FACTS §2.2 (InvalidParameter). */
export const INVALID_KEY_STRING = daemonError(400, 'invalid key string');

/** MB:swarm.go validateAndSanitizeInitRequest and Update (InvalidParameter). */
export const SWARM_SPEC_NAME = daemonError(400, 'swarm spec must be named "default"');
/** MB:swarm.go validateAndSanitizeJoinRequest (InvalidParameter). */
export const JOIN_NEEDS_REMOTE_ADDR = daemonError(400, 'at least 1 RemoteAddr is required to join');
/** MB:swarm.go validateAddr on an empty ListenAddr (InvalidParameter). */
export const EMPTY_LISTEN_ADDR = daemonError(400, 'invalid ListenAddr "": invalid empty address');
/** MB:swarm.go validateAddr on an empty remote address (InvalidParameter). */
export const EMPTY_REMOTE_ADDR = daemonError(400, 'invalid remoteAddr "": invalid empty address');

/** `--data-path-port` outside 1024–49151. FACTS §7.4; a plain error, so the daemon sends 500. */
export function dataPathPortOutOfRange(port: number): DaemonError {
  return daemonError(500, `Datapath port number is not in valid range (1024-49151) : ${port}`);
}

/** A cluster spec rejected while `swarm init` applies it (MB:swarm.go initClusterSpec, plain error). */
export function errorUpdatingClusterSettings(cause: DaemonError): DaemonError {
  return daemonError(500, `error updating cluster settings: ${cause.message}`);
}

/**
 * Default address pool checks of `swarm init` (MB:daemon/cluster validateDefaultAddrPool; plain
 * errors, so 500). Recalled from the moby source: these texts are not in the reference folder.
 */
export function invalidBasePool(pool: string): DaemonError {
  return daemonError(500, `invalid base pool ${pool}: invalid CIDR address: ${pool}`);
}
export function subnetSizeOutOfRange(size: number): DaemonError {
  return daemonError(500, `subnet size is out of range: ${size}`);
}
export function subnetSizeTooSmall(pool: string, size: number): DaemonError {
  return daemonError(500, `invalid CIDR: ${quote(pool)}. Subnet size is too small for pool: ${size}`);
}

/** Join with a token the CA does not know. FACTS §3.2 (SK:ca/server.go). */
export const INVALID_JOIN_TOKEN = grpcError('InvalidArgument', 'A valid join token is necessary to join this cluster');

// ---- Cluster spec (SK:manager/controlapi/cluster.go validateClusterSpec; MB:convert/swarm.go) --

export const MIN_CERT_EXPIRY = grpcError('InvalidArgument', 'minimum certificate expiry time is: 1h0m0s');
export const NEGATIVE_HEARTBEAT_PERIOD = grpcError(
  'InvalidArgument',
  'heartbeat time period cannot be a negative duration',
);
/** An external CA protocol other than cfssl (MB:convert/swarm.go, InvalidParameter). */
export function invalidExternalCAProtocol(protocol: string): DaemonError {
  return daemonError(400, `invalid protocol: ${quote(protocol)}`);
}

// ---- Object lookup by reference (MB:daemon/cluster/helpers.go) ---------------------------------

export type ObjectKind = 'node' | 'service' | 'task' | 'secret' | 'config' | 'network';

/** No object has this ID, name or ID prefix. OBSERVED "node doesnotexist not found" (404). */
export function notFound(kind: ObjectKind, ref: string): DaemonError {
  return daemonError(404, `${kind} ${ref} not found`);
}

/** Several objects match the name or prefix: InvalidParameter. MB:daemon/cluster/helpers.go getNode etc. */
export function ambiguous(kind: ObjectKind, ref: string, matches: number): DaemonError {
  return daemonError(400, `${kind} ${ref} is ambiguous (${matches} matches found)`);
}

/** A `filters=` value that is not JSON (no key) or names an unknown key. MB:api/types/filters/errors.go. */
export function invalidFilter(key?: string): DaemonError {
  return daemonError(400, key === undefined ? 'invalid filter' : `invalid filter '${key}'`);
}

/** GET /nodes?filters={"role":[…]} with an unknown role: a plain error (500). MB:daemon/cluster/filters.go. */
export function invalidRoleFilter(value: string): DaemonError {
  return daemonError(500, `Invalid role filter: '${value}'`);
}
/** GET /nodes?filters={"membership":[…]} with an unknown membership (500). MB:daemon/cluster/filters.go. */
export function invalidMembershipFilter(value: string): DaemonError {
  return daemonError(500, `Invalid membership filter: '${value}'`);
}
/** GET /tasks?filters={"desired-state":[…]} with an unknown state (500). MB:daemon/cluster/filters.go. */
export function invalidDesiredStateFilter(value: string): DaemonError {
  return daemonError(500, `Invalid desired-state filter: '${value}'`);
}

// ---- Request bodies and query strings (MB:api/server/httputils, MB:api/server/router/swarm) ----

/** A body Go's json.Decoder refused: syntax or type error (InvalidParameter). MB:httputils.ReadJSON. */
export function invalidJson(detail: string): DaemonError {
  return daemonError(400, `invalid JSON: ${detail}`);
}
/** A JSON body of only whitespace, or chunked and empty. MB:httputils.ReadJSON. */
export const JSON_EOF = daemonError(400, 'invalid JSON: got EOF while reading request body');
/** A second value after the body's JSON value. MB:httputils.ReadJSON. */
export const CONTENT_AFTER_JSON = daemonError(400, 'unexpected content after JSON');
/** A body whose Content-Type does not parse (mime.ParseMediaType). MB:httputils.matchesContentType. */
export function malformedContentType(contentType: string, cause: string): DaemonError {
  return daemonError(400, `malformed Content-Type header (${contentType}): ${cause}`);
}
/** A body that is not application/json. MB:httputils.matchesContentType. */
export function unsupportedContentType(contentType: string): DaemonError {
  return daemonError(400, `unsupported Content-Type header (${contentType}): must be 'application/json'`);
}
/**
 * `?version=` of swarm, service and node updates that strconv.ParseUint refuses; `cause` is its
 * error. MB:api/server/router/swarm/cluster_routes.go updateCluster, updateService, updateNode.
 */
export function invalidObjectVersion(kind: 'swarm' | 'service' | 'node', raw: string, cause: string): DaemonError {
  return daemonError(400, `invalid ${kind} version '${raw}': ${cause}`);
}
/** The secret and config routes say less. MB:cluster_routes.go updateSecret, updateConfig. */
export function invalidBlobVersion(kind: 'secret' | 'config'): DaemonError {
  return daemonError(400, `invalid ${kind} version`);
}
/** `?status=` / `?insertDefaults=` that strconv.ParseBool refuses. MB:cluster_routes.go getServices, getService. */
export function invalidQueryBool(name: string, raw: string, cause: string): DaemonError {
  return daemonError(400, `invalid value for ${name}: ${raw}: ${cause}`);
}
/** `?rotateWorkerToken=` etc. of swarm update that strconv.ParseBool refuses. MB:cluster_routes.go updateCluster. */
export function invalidRotateFlag(name: string, raw: string): DaemonError {
  return daemonError(400, `invalid value for ${name}: ${raw}`);
}
/** `?rollback=` other than "", none, previous: a plain error (500). MB:daemon/cluster/services.go UpdateService. */
export function unrecognizedRollbackOption(option: string): DaemonError {
  return daemonError(500, `unrecognized rollback option ${option}`);
}
/** `?registryAuthFrom=` other than "", spec, previous-spec (500). MB:daemon/cluster/services.go UpdateService. */
export const UNSUPPORTED_REGISTRY_AUTH_FROM = daemonError(500, 'unsupported registryAuthFrom value');
/** `?registryAuthFrom=previous-spec` on a service never updated (500). MB:daemon/cluster/services.go UpdateService. */
export const NO_PREVIOUS_SPEC_FOR_AUTH = daemonError(500, 'service does not have a previous spec');
/**
 * A request Go's HTTP server cannot parse (e.g. a bad %-escape in the path): plain text, not
 * JSON, and the connection is closed. Go net/http server.go (c.serve).
 */
export const GO_BAD_REQUEST_TEXT = '400 Bad Request';

// ---- Store and Raft (SK:manager/state/store, SK:manager/state/raft) ------------------------------

/**
 * A proposal over SwarmKit's 1.5 MiB MaxTransactionBytes (SK:manager/state/raft/raft.go
 * ErrRequestTooLarge): what a daemon answers for an object too big to store.
 */
export const REQUEST_TOO_LARGE = grpcError('Unknown', "raft: raft message is too large and can't be sent");

/** Stale `?version=`. OBSERVED (500) and FIELD-TRIALS (node update). */
export const UPDATE_OUT_OF_SEQUENCE = grpcError('Unknown', 'update out of sequence');
/** No leader for more than 10 ticks. FACTS §1.4. */
export const NO_LEADER = grpcError(
  'Unknown',
  "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
);
/** A proxied call that gave up waiting for a leader. FACTS §1.4. */
export const DEADLINE_EXCEEDED = grpcError('DeadlineExceeded', 'context deadline exceeded');
/** A proposal cut short by a leadership change: it may still commit. FACTS §1.4. */
export const LOST_LEADERSHIP = grpcError('Unknown', 'raft: failed to process the request: node lost leader status');

// ---- Nodes (SK:manager/controlapi/node.go; MB:daemon/cluster/convert/node.go) -------------------

/** README §4.3 and FACTS §9.3. */
export function nodeNotDown(nodeId: string): DaemonError {
  return grpcError('FailedPrecondition', `node ${nodeId} is not down and can't be removed`);
}
/** OBSERVED (DELETE /nodes/<leader id>, 400). */
export function nodeIsRaftManager(nodeId: string): DaemonError {
  return grpcError(
    'FailedPrecondition',
    `node ${nodeId} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
  );
}
/** FACTS §1.2. */
export const DEMOTE_LAST_MANAGER = grpcError('FailedPrecondition', 'attempting to demote the last manager of the swarm');
/** FACTS §1.2. */
export const DEMOTE_LOSES_QUORUM = grpcError(
  'FailedPrecondition',
  "can't remove member from the raft: this would result in a loss of quorum",
);
export const MANAGER_NOT_IN_RAFT = grpcError('NotFound', "can't find manager in raft memberlist");
/** README §4.3: `--role boss` (InvalidParameter). */
export function invalidRole(role: string): DaemonError {
  return daemonError(400, `invalid Role: ${quote(role)}`);
}
/**
 * README §4.3: `node update --availability foo` is InvalidParameter (400). The same text comes from
 * swarm init/join (MB:daemon/cluster/noderunner.go start) as a plain error, hence status 500 there.
 */
export function invalidAvailability(availability: string, statusCode: 400 | 500 = 400): DaemonError {
  return daemonError(statusCode, `invalid Availability: ${quote(availability)}`);
}

// ---- Services (SK:manager/controlapi/service.go; MB:daemon/cluster/convert/service.go) ---------

/** OBSERVED (409): POST /services/create with a taken name. */
export function serviceNameConflict(name: string): DaemonError {
  return grpcError('AlreadyExists', `name conflicts with an existing object: service ${name} already exists`);
}
/** OBSERVED (400). */
export const IMAGE_REQUIRED = grpcError('InvalidArgument', 'ContainerSpec: image reference must be provided');
/** OBSERVED (400). */
export const INVALID_DNS_NAME = grpcError('InvalidArgument', 'name must be valid as a DNS name component');
/** FACTS §8. */
export const NAME_TOO_LONG = grpcError('InvalidArgument', 'name must be 63 characters or fewer');
/** FACTS §7.1. */
export const DNSRR_WITH_INGRESS_PORTS = grpcError(
  'InvalidArgument',
  "EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
);
/** FIELD-TRIALS svcrollback_no_previousspec. */
export function noPreviousSpec(serviceId: string): DaemonError {
  return grpcError('FailedPrecondition', `service ${serviceId} does not have a previous spec`);
}
/** FACTS §5.4. */
export const JOBS_NO_UPDATE_CONFIG = grpcError('InvalidArgument', 'Jobs may not have an update config');
/** FACTS §5.4. */
export const MAX_FAILURE_RATIO_RANGE = grpcError(
  'InvalidArgument',
  'TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1',
);
/** Conversion errors of the daemon (InvalidParameter) — MB:convert/service.go. */
export const MORE_THAN_ONE_MODE = daemonError(400, 'must specify only one service mode');
export const MISMATCHED_RUNTIME = daemonError(400, 'mismatched Runtime and *Spec fields');
export const UNSUPPORTED_RUNTIME = daemonError(400, 'unsupported runtime');
export function invalidRestartCondition(condition: string): DaemonError {
  return daemonError(400, `invalid RestartCondition: ${quote(condition)}`);
}
export function unrecognizedFailureAction(action: string): DaemonError {
  return daemonError(400, `unrecognized update failure action ${action}`);
}
export function unrecognizedUpdateOrder(order: string): DaemonError {
  return daemonError(400, `unrecognized update order ${order}`);
}
export function invalidResolutionMode(mode: string): DaemonError {
  return daemonError(400, `invalid resolution mode: ${quote(mode)}`);
}

// ---- Secrets, configs, networks ----------------------------------------------------------------

/** OBSERVED (409). */
export function alreadyExists(kind: 'secret' | 'config', name: string): DaemonError {
  return grpcError('AlreadyExists', `${kind} ${name} already exists`);
}
/** OBSERVED (400): one service → "service: a", several → "services: a, b". */
export function inUse(kind: 'secret' | 'config', name: string, services: readonly string[]): DaemonError {
  const noun = services.length === 1 ? 'service' : 'services';
  return grpcError('InvalidArgument', `${kind} '${name}' is in use by the following ${noun}: ${services.join(', ')}`);
}
/** FACTS §8 and README §4.5. */
export const ONLY_LABELS_UPDATABLE = grpcError('InvalidArgument', 'only updates to Labels are allowed');
/** FACTS §8. */
export const INVALID_OBJECT_NAME = grpcError(
  'InvalidArgument',
  'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
);
/** FACTS §8. */
export const SECRET_DATA_SIZE = grpcError(
  'InvalidArgument',
  'secret data must be larger than 0 and less than 512000 bytes',
);
export const CONFIG_DATA_SIZE = grpcError(
  'InvalidArgument',
  'config data must be larger than 0 and less than 1024000 bytes',
);
/** OBSERVED (400). */
export function networkInUse(networkId: string, serviceId: string): DaemonError {
  return grpcError('FailedPrecondition', `network ${networkId} is in use by service ${serviceId}`);
}
/** OBSERVED (400). */
export function ingressInUse(serviceId: string): DaemonError {
  return grpcError(
    'FailedPrecondition',
    `ingress network cannot be removed because service ${serviceId} depends on it`,
  );
}

// ---- Outcome classification for histories -------------------------------------------------------

const MAYBE_APPLIED = [DEADLINE_EXCEEDED.message, LOST_LEADERSHIP.message];

/**
 * True when a failed call may still have taken effect: no answer after the request may have
 * reached the daemon, or a daemon answer saying the proposal's fate is unknown (timeout,
 * leadership lost while proposing). Such calls are "info" events in a history, not "fail".
 */
export function isIndeterminate(error: unknown): boolean {
  if (error instanceof DockerConnectionError) return error.mayHaveReachedServer;
  if (error instanceof DockerApiError) return MAYBE_APPLIED.includes(error.message);
  return false;
}
