// Reading one JSON value the way Go's encoding/json Decoder does, so a server can answer malformed
// bodies with Go's own words ("invalid character 'x' looking for beginning of value", "unexpected
// EOF"). Numbers keep their literal text: Go's type errors quote it ("number 1.5") and uint64
// values do not fit a JS number.
//
// The syntax check is a transcription of Go's scanner (encoding/json/scanner.go): same states,
// same error contexts, same byte quoting; the tree is built by a second pass over text already
// known to be valid.

export type JsonNode =
  | { readonly kind: 'object'; readonly entries: [string, JsonNode][] }
  | { readonly kind: 'array'; readonly items: JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' };

/** A body Go's decoder refuses before looking at types; `message` is Go's error text. */
export class GoJsonSyntaxError extends Error {
  override readonly name = 'GoJsonSyntaxError';
}

/** Go's maxNestingDepth. */
const MAX_DEPTH = 10000;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: a byte as `'x'`, escaped the way strconv.Quote escapes it. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  // string(byte) in Go is the rune U+00XX; U+0080..U+00A0 and the soft hyphen are not printable.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

const enum S {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  InString,
  InStringEsc,
  InStringEscU,
  Neg,
  Zero,
  Digits,
  Dot,
  Dot0,
  E,
  ESign,
  E0,
  Literal,
}

const enum P {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const LITERALS: Record<number, { word: string; name: string }> = {
  0x74: { word: 'true', name: 'true' },
  0x66: { word: 'false', name: 'false' },
  0x6e: { word: 'null', name: 'null' },
};

/**
 * Checks the first JSON value of `buf` with Go's scanner. Returns the offset just past it, or
 * 'eof' when the input holds nothing but whitespace (Go's io.EOF). Throws GoJsonSyntaxError.
 */
export function scanGoJsonValue(buf: Uint8Array): number | 'eof' {
  const stack: P[] = [];
  let state = S.BeginValue;
  let escLeft = 0;
  let literal = { word: '', pos: 0 };
  let sawValue = false;
  const fail = (c: number, context: string): never => {
    throw new GoJsonSyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  };
  const push = (p: P, c: number) => {
    stack.push(p);
    if (stack.length > MAX_DEPTH) fail(c, 'exceeded max depth');
  };

  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    // A byte may be looked at twice: a number ends on the byte after it.
    for (;;) {
      switch (state) {
        case S.BeginValueOrEmpty:
          if (isSpace(c)) break;
          if (c === 0x5d) {
            state = S.EndValue;
            // ']' closes the array: handled by EndValue below.
            continue;
          }
          state = S.BeginValue;
          continue;
        case S.BeginValue:
          if (isSpace(c)) break;
          sawValue = true;
          if (c === 0x7b) {
            push(P.ObjectKey, c);
            state = S.BeginStringOrEmpty;
          } else if (c === 0x5b) {
            push(P.ArrayValue, c);
            state = S.BeginValueOrEmpty;
          } else if (c === 0x22) state = S.InString;
          else if (c === 0x2d) state = S.Neg;
          else if (c === 0x30) state = S.Zero;
          else if (c >= 0x31 && c <= 0x39) state = S.Digits;
          else if (LITERALS[c]) {
            literal = { word: LITERALS[c].word, pos: 1 };
            state = S.Literal;
          } else fail(c, 'looking for beginning of value');
          break;
        case S.BeginStringOrEmpty:
          if (isSpace(c)) break;
          if (c === 0x7d) {
            stack[stack.length - 1] = P.ObjectValue;
            state = S.EndValue;
            continue;
          }
          state = S.BeginString;
          continue;
        case S.BeginString:
          if (isSpace(c)) break;
          if (c !== 0x22) fail(c, 'looking for beginning of object key string');
          state = S.InString;
          break;
        case S.EndValue: {
          if (stack.length === 0) return i;
          if (isSpace(c)) break;
          const top = stack[stack.length - 1];
          if (top === P.ObjectKey) {
            if (c !== 0x3a) fail(c, 'after object key');
            stack[stack.length - 1] = P.ObjectValue;
            state = S.BeginValue;
          } else if (top === P.ObjectValue) {
            if (c === 0x2c) {
              stack[stack.length - 1] = P.ObjectKey;
              state = S.BeginString;
            } else if (c === 0x7d) {
              stack.pop();
              if (stack.length === 0) return i + 1;
            } else fail(c, 'after object key:value pair');
          } else {
            if (c === 0x2c) state = S.BeginValue;
            else if (c === 0x5d) {
              stack.pop();
              if (stack.length === 0) return i + 1;
            } else fail(c, 'after array element');
          }
          break;
        }
        case S.InString:
          if (c === 0x22) state = S.EndValue;
          else if (c === 0x5c) state = S.InStringEsc;
          else if (c < 0x20) fail(c, 'in string literal');
          break;
        case S.InStringEsc:
          if ('bfnrt\\/"'.includes(String.fromCharCode(c))) state = S.InString;
          else if (c === 0x75) {
            escLeft = 4;
            state = S.InStringEscU;
          } else fail(c, 'in string escape code');
          break;
        case S.InStringEscU:
          if (!isHex(c)) fail(c, 'in \\u hexadecimal character escape');
          if (--escLeft === 0) state = S.InString;
          break;
        case S.Neg:
          if (c === 0x30) state = S.Zero;
          else if (c >= 0x31 && c <= 0x39) state = S.Digits;
          else fail(c, 'in numeric literal');
          break;
        case S.Digits:
          if (isDigit(c)) break;
          state = S.Zero;
          continue;
        case S.Zero:
          if (c === 0x2e) state = S.Dot;
          else if (c === 0x65 || c === 0x45) state = S.E;
          else {
            state = S.EndValue;
            continue;
          }
          break;
        case S.Dot:
          if (!isDigit(c)) fail(c, 'after decimal point in numeric literal');
          state = S.Dot0;
          break;
        case S.Dot0:
          if (isDigit(c)) break;
          if (c === 0x65 || c === 0x45) state = S.E;
          else {
            state = S.EndValue;
            continue;
          }
          break;
        case S.E:
          if (c === 0x2b || c === 0x2d) {
            state = S.ESign;
            break;
          }
          state = S.ESign;
          continue;
        case S.ESign:
          if (!isDigit(c)) fail(c, 'in exponent of numeric literal');
          state = S.E0;
          break;
        case S.E0:
          if (isDigit(c)) break;
          state = S.EndValue;
          continue;
        case S.Literal: {
          const want = literal.word.charCodeAt(literal.pos);
          if (c !== want) fail(c, `in literal ${literal.word} (expecting ${quoteChar(want)})`);
          if (++literal.pos === literal.word.length) state = S.EndValue;
          break;
        }
      }
      break;
    }
  }
  // End of input: Go feeds the scanner one more space to finish a top-level number or literal.
  if (!sawValue) return 'eof';
  if (stack.length === 0 && (state === S.EndValue || state === S.Digits || state === S.Zero || state === S.Dot0 || state === S.E0)) {
    return buf.length;
  }
  throw new GoJsonSyntaxError('unexpected EOF');
}

const ESCAPES: Record<number, string> = { 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t', 0x5c: '\\', 0x2f: '/', 0x22: '"' };
const REPLACEMENT = '\ufffd';

const latin1 = (buf: Uint8Array, from: number, to: number) => Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString('latin1');
const hex4 = (buf: Uint8Array, at: number) => parseInt(latin1(buf, at, at + 4), 16);

/** A string literal starting at the quote `at`; returns its value and the offset past it. */
function readString(buf: Uint8Array, at: number): [string, number] {
  let i = at + 1;
  let out = '';
  let runStart = i;
  const decoder = new TextDecoder();
  for (;;) {
    const c = buf[i];
    if (c === 0x22) return [out + decoder.decode(buf.subarray(runStart, i)), i + 1];
    if (c !== 0x5c) {
      i++;
      continue;
    }
    out += decoder.decode(buf.subarray(runStart, i));
    const e = buf[i + 1];
    if (e !== 0x75) {
      out += ESCAPES[e];
      i += 2;
    } else {
      const unit = hex4(buf, i + 2);
      i += 6;
      // Go pairs a high surrogate with a following \u low surrogate, else writes U+FFFD.
      if (unit >= 0xd800 && unit < 0xdc00 && buf[i] === 0x5c && buf[i + 1] === 0x75) {
        const low = hex4(buf, i + 2);
        if (low >= 0xdc00 && low < 0xe000) {
          out += String.fromCharCode(unit, low);
          i += 6;
        } else out += REPLACEMENT;
      } else out += unit >= 0xd800 && unit < 0xe000 ? REPLACEMENT : String.fromCharCode(unit);
    }
    runStart = i;
  }
}

type Frame = { node: Extract<JsonNode, { kind: 'object' | 'array' }>; key?: string; expectKey: boolean };

/** Builds the tree of `buf[0, end)`, which scanGoJsonValue has accepted. Iterative: depth is unbounded by the JS stack. */
export function buildGoJsonTree(buf: Uint8Array, end: number): JsonNode {
  const stack: Frame[] = [];
  let root: JsonNode | undefined;
  const attach = (value: JsonNode) => {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (top.node.kind === 'array') top.node.items.push(value);
    else top.node.entries.push([top.key!, value]);
  };
  let i = 0;
  while (i < end) {
    const c = buf[i];
    if (isSpace(c) || c === 0x3a) {
      if (c === 0x3a) stack[stack.length - 1].expectKey = false;
      i++;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      top.expectKey = top.node.kind === 'object';
      i++;
    } else if (c === 0x7b || c === 0x5b) {
      const node: Frame['node'] = c === 0x7b ? { kind: 'object', entries: [] } : { kind: 'array', items: [] };
      attach(node);
      stack.push({ node, expectKey: c === 0x7b });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i++;
    } else if (c === 0x22) {
      const [value, next] = readString(buf, i);
      i = next;
      const top = stack[stack.length - 1];
      if (top?.expectKey) {
        top.key = value;
        top.expectKey = false;
      } else attach({ kind: 'string', value });
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = LITERALS[c].word;
      attach(c === 0x6e ? { kind: 'null' } : { kind: 'bool', value: c === 0x74 });
      i += word.length;
    } else {
      let j = i + 1;
      while (j < end && !isSpace(buf[j]) && buf[j] !== 0x2c && buf[j] !== 0x5d && buf[j] !== 0x7d) j++;
      attach({ kind: 'number', raw: latin1(buf, i, j) });
      i = j;
    }
  }
  return root!;
}

/** Go's Decoder.More after a value: true when something other than whitespace, `]` or `}` follows. */
export function hasMoreJson(buf: Uint8Array, from: number): boolean {
  let i = from;
  while (i < buf.length && isSpace(buf[i])) i++;
  return i < buf.length && buf[i] !== 0x5d && buf[i] !== 0x7d;
}
