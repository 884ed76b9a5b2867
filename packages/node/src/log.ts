// Node logs: pino JSON lines, one file per node (stderr when no file is given); `swarmlab logs`
// pretty-prints them. Written synchronously: a node logs a few lines a minute, and a line logged
// just before a crash or process.exit() must not be lost in a buffer.

import pino from 'pino';

export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** A node's logger; `close()` releases the file (lines logged afterwards are dropped). */
export type NodeLogger = Log & { close(): void };

export function createLogger(file: string | undefined, base: Record<string, unknown>): NodeLogger {
  const destination = file ? pino.destination({ dest: file, sync: true, mkdir: true }) : pino.destination({ fd: 2, sync: true });
  const logger = pino({ base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  let open = true;
  const log: Log = (level, msg, fields) => {
    if (open) logger[level](fields ?? {}, msg);
  };
  return Object.assign(log, {
    close: () => {
      if (!open) return;
      open = false;
      if (file) destination.end();
    },
  });
}
