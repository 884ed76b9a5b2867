// Node logs: pino JSON lines, one file per node (stderr when no file is given).

import pino from 'pino';

export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export function createLogger(file: string | undefined, base: Record<string, unknown>): Log {
  const logger = pino({ base, timestamp: pino.stdTimeFunctions.isoTime }, file ? pino.destination({ dest: file, sync: false, mkdir: true }) : pino.destination(2));
  return (level, msg, fields) => logger[level](fields ?? {}, msg);
}
