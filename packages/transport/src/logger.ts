/**
 * The logging surface the transport needs. It is pino's call shape (`log.warn({ ...fields }, 'text')`),
 * so a node passes its pino logger straight in; tests pass a recorder or nothing.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const ignore = (): void => {};

/** Drops everything; the default when the caller gives no logger. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
