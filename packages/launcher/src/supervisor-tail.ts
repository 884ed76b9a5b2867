// Reads a line-oriented file (events.jsonl, a node's pino log) to its end and, when following,
// keeps yielding lines as they are appended — like `tail -n +1 -f`, by polling its size so it
// works the same on every filesystem.

import { open, stat } from 'node:fs/promises';

export interface TailOptions {
  follow?: boolean;
  signal?: AbortSignal;
  /** How often a followed file is checked for growth. */
  pollMs?: number;
}

export async function* tailLines(file: string, options: TailOptions = {}): AsyncGenerator<string> {
  const { follow = false, signal, pollMs = 200 } = options;
  let offset = 0;
  let partial = '';
  while (!signal?.aborted) {
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size !== undefined && size < offset) {
      // Truncated or replaced: start over.
      offset = 0;
      partial = '';
    }
    if (size !== undefined && size > offset) {
      const fh = await open(file, 'r');
      try {
        // At most 1 MiB at a time: a long log is read in pieces, not all at once.
        const buf = Buffer.alloc(Math.min(size - offset, 1 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const lines = (partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') yield line;
      } finally {
        await fh.close();
      }
      continue;
    }
    if (!follow) break;
    await sleep(pollMs, signal);
  }
  // A last line without its newline still counts once the file is read to the end.
  if (!follow && partial.trim() !== '') yield partial;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
