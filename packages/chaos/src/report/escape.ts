// Everything the report prints comes from run files that anyone could have edited, so every
// string goes through one of these before it reaches the page.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON that is safe inside an inline <script> element: no `</script>`, no `<!--`, no line
 * separators that older parsers treat as newlines. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON.stringify that never throws (cycles, BigInt) and says so when it had to give up. */
export function safeJson(value: unknown, indent = 0): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
    return text === undefined ? String(value) : text;
  } catch (e) {
    return `(not representable as JSON: ${e instanceof Error ? e.message : String(e)})`;
  }
}

/** Shortens text for labels and tooltips, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A POSIX-shell word for a path, so a copied replay command works with spaces and quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
