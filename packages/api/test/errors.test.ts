import { describe, expect, it } from 'vitest';
import {
  alreadyExists,
  apiError,
  DEADLINE_EXCEEDED,
  DockerApiError,
  DockerConnectionError,
  GRPC_HTTP_STATUS,
  grpcError,
  ingressInUse,
  IMAGE_REQUIRED,
  INVALID_DNS_NAME,
  inUse,
  isIndeterminate,
  leaveAsManager,
  networkInUse,
  nodeIsRaftManager,
  nodeNotDown,
  notFound,
  serviceNameConflict,
  SWARM_EXISTS,
  UPDATE_OUT_OF_SEQUENCE,
  type DaemonError,
} from '../src/index.js';
import { fixtureText } from './helpers/fixtures.js';

/** The answers recorded from a live daemon: `### <request>` / body / `HTTP <status>`. */
function recordedErrors(): Map<string, DaemonError> {
  const out = new Map<string, DaemonError>();
  const blocks = fixtureText('api-error-responses.txt').split(/^### /m).slice(1);
  for (const block of blocks) {
    const [title, body, ...rest] = block.split('\n');
    const status = /HTTP (\d{3})/.exec(rest.join('\n'));
    out.set(title.trim(), { statusCode: Number(status?.[1]), message: (JSON.parse(body) as { message: string }).message });
  }
  return out;
}

describe('the error catalogue against a live daemon’s answers', () => {
  const recorded = recordedErrors();
  const cases: Array<[string, DaemonError]> = [
    ['GET /services/nonexistent', notFound('service', 'nonexistent')],
    ['POST /services/create (dup name web)', serviceNameConflict('web')],
    ['POST /services/create (no image)', IMAGE_REQUIRED],
    ['POST /services/create (bad name)', INVALID_DNS_NAME],
    ['POST /swarm/init (already in swarm)', SWARM_EXISTS],
    ['GET /nodes/self', notFound('node', 'self')],
    ['GET /nodes/doesnotexist', notFound('node', 'doesnotexist')],
    ['DELETE /secrets/doesnotexist', notFound('secret', 'doesnotexist')],
    ['POST /secrets/create (dup)', alreadyExists('secret', 'mysecret')],
    ['DELETE /secrets/mysecret (in use)', inUse('secret', 'mysecret', ['app'])],
    ['POST /services/web/update?version=1 (stale)', UPDATE_OUT_OF_SEQUENCE],
    ['DELETE /networks/mynet (in use)', networkInUse('5j23s8y406c6skw8ktm1zrugj', 'tdccv7zmamsge6x74jt02x0yp')],
    ['DELETE /networks/ingress', ingressInUse('tdccv7zmamsge6x74jt02x0yp')],
    ['DELETE /nodes/self-id (leader, no force)', nodeIsRaftManager('vq89rxodqjgde9h3lug178dm9')],
  ];

  it('covers every recorded answer', () => {
    expect(new Set(cases.map(([title]) => title))).toEqual(new Set(recorded.keys()));
  });

  it.each(cases)('%s', (title, ours) => {
    expect(ours).toEqual(recorded.get(title));
  });
});

describe('texts from the reference notes', () => {
  it('formats gRPC errors as the daemon passes them through', () => {
    expect(nodeNotDown('w0rker2')).toEqual({
      statusCode: 400,
      message: "rpc error: code = FailedPrecondition desc = node w0rker2 is not down and can't be removed",
    });
    expect(grpcError('Unavailable', 'x').statusCode).toBe(503);
    expect(GRPC_HTTP_STATUS.NotFound).toBe(404);
    expect(inUse('config', 'c', ['a', 'b']).message).toBe(
      "rpc error: code = InvalidArgument desc = config 'c' is in use by the following services: a, b",
    );
  });

  it('words the manager-leave refusal by the manager count (MB:daemon/cluster/swarm.go)', () => {
    expect(leaveAsManager({ reachable: 1, unreachable: 0 }).message).toBe(
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ',
    );
    expect(leaveAsManager({ reachable: 2, unreachable: 1 }).message).toBe(
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves 1 managers out of 3. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.',
    );
    expect(leaveAsManager({ reachable: 3, unreachable: 0 }).message).toBe(
      'You are attempting to leave the swarm on a node that is participating as a manager. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.',
    );
    expect(leaveAsManager().message).toContain('Doing so may lose the consensus of your cluster. The only way');
    expect(leaveAsManager().statusCode).toBe(503);
  });
});

describe('error classes', () => {
  it('serialises a DockerApiError as the daemon body', () => {
    const error = apiError(SWARM_EXISTS);
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(503);
    expect(JSON.stringify(error)).toBe(JSON.stringify({ message: SWARM_EXISTS.message }));
  });

  it('tells indeterminate outcomes from failures', () => {
    const request = { method: 'POST', path: '/v1.47/services/create' };
    expect(isIndeterminate(new DockerConnectionError('refused', 'ECONNREFUSED', false, request))).toBe(false);
    expect(isIndeterminate(new DockerConnectionError('reset', 'ECONNRESET', true, request))).toBe(true);
    expect(isIndeterminate(apiError(DEADLINE_EXCEEDED))).toBe(true);
    expect(isIndeterminate(apiError(UPDATE_OUT_OF_SEQUENCE))).toBe(false);
    expect(isIndeterminate(new DockerApiError(404, 'service x not found'))).toBe(false);
    expect(isIndeterminate(new Error('other'))).toBe(false);
  });
});
