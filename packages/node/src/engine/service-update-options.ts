// The query options of `POST /services/{id}/update` that the daemon itself checks once it has
// found the service (moby daemon/cluster/services.go UpdateService): `registryAuthFrom` when no
// X-Registry-Auth header is sent, then `rollback`. Both are plain errors, so 500.

import {
  apiError,
  NO_PREVIOUS_SPEC_FOR_AUTH,
  UNSUPPORTED_REGISTRY_AUTH_FROM,
  unrecognizedRollbackOption,
} from '@swarmlab/api';
import type { Daemon } from '../daemon/daemon.js';
import type { Request } from './http.js';

const ROLLBACK_OPTIONS = ['', 'none', 'previous'];
const AUTH_FROM_OPTIONS = ['', 'spec', 'previous-spec'];

/** Whether the update asks for a rollback; throws the daemon's error for an option it refuses. */
export async function serviceUpdateRollback(daemon: Daemon, req: Request): Promise<boolean> {
  const rollback = req.query.get('rollback') ?? '';
  const authFrom = req.query.get('registryAuthFrom') ?? '';
  const checkAuthFrom = !req.headers['x-registry-auth'];
  const needsService = (checkAuthFrom && (authFrom === 'previous-spec' || !AUTH_FROM_OPTIONS.includes(authFrom))) || !ROLLBACK_OPTIONS.includes(rollback);
  if (needsService) {
    // The lookup comes first: an unknown service is a 404 whatever the options say.
    const service = (await daemon.control('service.inspect', { ref: req.params.id, insertDefaults: false })) as { PreviousSpec?: unknown };
    if (checkAuthFrom && !AUTH_FROM_OPTIONS.includes(authFrom)) throw apiError(UNSUPPORTED_REGISTRY_AUTH_FROM);
    if (checkAuthFrom && authFrom === 'previous-spec' && !service.PreviousSpec) throw apiError(NO_PREVIOUS_SPEC_FOR_AUTH);
    if (!ROLLBACK_OPTIONS.includes(rollback)) throw apiError(unrecognizedRollbackOption(rollback));
  }
  return rollback === 'previous';
}
