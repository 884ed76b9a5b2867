// The few pieces of Go's strconv whose error texts reach API clients: quoting (%q), ParseUint
// (`?version=`) and ParseBool (`?status=`, `?insertDefaults=`).

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** strconv.Quote (Go's %q) for the strings clients send: control characters escaped, the rest kept. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code <= 0xa0) || code === 0xad) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export type GoParsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** strconv.ParseUint(raw, 10, bits): digits only, no sign, no underscores. */
export function parseGoUint(raw: string, bits = 64): GoParsed<bigint> {
  if (!/^[0-9]+$/.test(raw)) return { ok: false, error: `strconv.ParseUint: parsing ${goQuote(raw)}: invalid syntax` };
  const value = BigInt(raw);
  if (value >= 1n << BigInt(bits)) return { ok: false, error: `strconv.ParseUint: parsing ${goQuote(raw)}: value out of range` };
  return { ok: true, value };
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** strconv.ParseBool: only Go's twelve spellings. */
export function parseGoBool(raw: string): GoParsed<boolean> {
  if (TRUE.includes(raw)) return { ok: true, value: true };
  if (FALSE.includes(raw)) return { ok: true, value: false };
  return { ok: false, error: `strconv.ParseBool: parsing ${goQuote(raw)}: invalid syntax` };
}
