// A small JSON-lines reader for the run folder's history.jsonl and events.jsonl.

export interface JsonLines {
  values: unknown[];
  /** Set when the last line was cut off (a run killed while appending): it is left out. */
  truncatedLastLine: boolean;
}

/** Parses one JSON value per non-blank line. A broken line is an error naming the file and line,
 * except a broken last line without its newline, which a crash mid-write leaves behind. */
export function parseJsonLines(text: string, file: string): JsonLines {
  const lines = text.split('\n');
  const values: unknown[] = [];
  let truncatedLastLine = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      values.push(JSON.parse(line));
    } catch (e) {
      if (i === lines.length - 1 && !text.endsWith('\n')) {
        truncatedLastLine = true;
        continue;
      }
      throw new Error(`${file}:${i + 1}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return { values, truncatedLastLine };
}
