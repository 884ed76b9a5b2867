// A mistake the user can fix (bad flag value, unknown node, cluster not running): printed as one
// clear line and a non-zero exit, without a stack trace.

export class UserError extends Error {}

/** Runs `fn`, turning any error it throws into a UserError with the same message. */
export async function asUserError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof UserError ? e : new UserError(e instanceof Error ? e.message : String(e));
  }
}
