// A node's pino JSON lines as people read them: time, level, message, then the other fields.

import { prettyFactory } from 'pino-pretty';

export function logPrettifier(colorize: boolean): (line: string) => string {
  const pretty = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // Every line of a node's log carries these; the command already says which node it is.
    ignore: 'pid,hostname,node,addr',
    // Keep an `err` field on the line with the others instead of a block of its own.
    errorLikeObjectKeys: [],
  });
  return (line) => {
    // pino-pretty hands lines that are not JSON back unchanged (a crash trace, say).
    const text = pretty(line);
    return typeof text === 'string' ? text.replace(/\n$/, '') : line;
  };
}
