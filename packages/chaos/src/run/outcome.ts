// What a failed request means for the history: `fail` only when the operation certainly did not
// take effect, `info` (indeterminate) otherwise — a timeout or a lost connection after the
// request left may still have been committed by the leader.

import { DockerApiError, DockerConnectionError } from '@swarmlab/api';

/** Errors after which a write certainly changed nothing. */
const DEFINITE = [/update out of sequence/, /not found/i, /already exists/, /InvalidArgument/];

export function failureType(e: unknown, readOnly: boolean): 'fail' | 'info' {
  if (readOnly) return 'fail';
  if (e instanceof DockerConnectionError) return e.mayHaveReachedServer ? 'info' : 'fail';
  if (e instanceof DockerApiError && DEFINITE.some((re) => re.test(e.message))) return 'fail';
  return 'info';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.slice(0, 300) : String(e).slice(0, 300);
}
