// Decoding a JSON tree into a description of a Go type the way encoding/json does: wrong JSON
// kinds and out-of-range numbers give Go's UnmarshalTypeError text (the first one in document
// order), field names match case-insensitively, unknown fields are dropped, and []byte fields
// take base64. The result is plain JS with the Go field names, ready for the daemon's own checks.

import { Buffer } from 'node:buffer';
import type { JsonNode } from './go-json.js';

export type GoType =
  | { readonly k: 'string'; readonly name: string }
  | { readonly k: 'bool' }
  | { readonly k: 'int' | 'uint'; readonly name: string; readonly bits: number }
  | { readonly k: 'float'; readonly name: string; readonly bits: 32 | 64 }
  | { readonly k: 'bytes' }
  | { readonly k: 'ptr'; readonly elem: GoType }
  | { readonly k: 'slice'; readonly elem: GoType }
  | { readonly k: 'map'; readonly elem: GoType }
  | { readonly k: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, GoType>> }
  | { readonly k: 'any' };

/** A value Go refuses while decoding; `message` is Go's text (without moby's "invalid JSON: "). */
export class GoDecodeError extends Error {
  override readonly name = 'GoDecodeError';
}

/** reflect.Type.String(): what Go's messages say after "of type". */
export function goTypeString(t: GoType): string {
  switch (t.k) {
    case 'bool':
      return 'bool';
    case 'bytes':
      return '[]uint8';
    case 'ptr':
      return `*${goTypeString(t.elem)}`;
    case 'slice':
      return `[]${goTypeString(t.elem)}`;
    case 'map':
      return `map[string]${goTypeString(t.elem)}`;
    case 'any':
      return 'interface {}';
    default:
      return t.name;
  }
}

/** Where the decoder is, as Go's errorContext: the innermost struct and the field path from the root. */
interface Context {
  struct?: string;
  fields: readonly string[];
}

function typeError(value: string, t: GoType, ctx: Context): GoDecodeError {
  const type = goTypeString(t);
  if (ctx.struct === undefined) return new GoDecodeError(`json: cannot unmarshal ${value} into Go value of type ${type}`);
  return new GoDecodeError(`json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${type}`);
}

const fieldIndexes = new WeakMap<object, Map<string, string>>();

/** Go matches a JSON key to the exact field name first, then case-insensitively. */
function fieldFor(t: Extract<GoType, { k: 'struct' }>, key: string): string | undefined {
  if (Object.hasOwn(t.fields, key)) return key;
  let index = fieldIndexes.get(t.fields);
  if (!index) {
    index = new Map(Object.keys(t.fields).map((name) => [name.toLowerCase(), name]));
    fieldIndexes.set(t.fields, index);
  }
  return index.get(key.toLowerCase());
}

function decodeInteger(raw: string, t: Extract<GoType, { k: 'int' | 'uint' }>, ctx: Context): number {
  const ok = t.k === 'int' ? /^-?[0-9]+$/.test(raw) : /^[0-9]+$/.test(raw);
  if (ok) {
    const value = BigInt(raw);
    const limit = 1n << BigInt(t.k === 'int' ? t.bits - 1 : t.bits);
    if (t.k === 'int' ? value >= -limit && value < limit : value < limit) return Number(value);
  }
  throw typeError(`number ${raw}`, t, ctx);
}

function decodeFloat(raw: string, t: Extract<GoType, { k: 'float' }>, ctx: Context): number {
  const value = Number(raw);
  if (!Number.isFinite(t.bits === 32 ? Math.fround(value) : value)) throw typeError(`number ${raw}`, t, ctx);
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]$/;

/**
 * encoding/base64 StdEncoding.Decode: quanta of four, `=` padding required, \r and \n skipped.
 * Throws Go's CorruptInputError text with the offset it reports.
 */
export function decodeGoBase64(text: string): Buffer {
  const src = text;
  const skipNewlines = (at: number) => {
    while (at < src.length && (src[at] === '\n' || src[at] === '\r')) at++;
    return at;
  };
  const corrupt = (at: number) => new GoDecodeError(`illegal base64 data at input byte ${at}`);
  let si = 0;
  let clean = '';
  while (si < src.length) {
    const quantum: string[] = [];
    let ended = false;
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 0) break;
        throw corrupt(si - quantum.length);
      }
      const ch = src[si++];
      if (BASE64.test(ch)) {
        quantum.push(ch);
        continue;
      }
      if (ch === '\n' || ch === '\r') continue;
      if (ch !== '=' || quantum.length < 2) throw corrupt(si - 1);
      if (quantum.length === 2) {
        si = skipNewlines(si);
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== '=') throw corrupt(si - 1);
        si++;
      }
      si = skipNewlines(si);
      if (si < src.length) throw corrupt(si);
      ended = true;
      break;
    }
    clean += quantum.join('');
    if (ended || quantum.length === 0) break;
  }
  return Buffer.from(clean, 'base64');
}

/** The zero value Go leaves for `null` inside a slice (pointers, slices and maps stay nil). */
function zeroOf(t: GoType): unknown {
  switch (t.k) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'uint':
    case 'float':
      return 0;
    case 'struct':
      return {};
    default:
      return null;
  }
}

function plain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map(([k, v]) => [k, plain(v)]));
    case 'array':
      return node.items.map(plain);
    case 'number':
      return Number(node.raw);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

function decodeValue(node: JsonNode, type: GoType, ctx: Context): unknown {
  // Go allocates through pointers before looking at the value; messages name the element type.
  const t = type.k === 'ptr' ? type.elem : type;
  if (node.kind === 'null') return undefined;
  if (t.k === 'any') return plain(node);
  switch (node.kind) {
    case 'string':
      if (t.k === 'string') return node.value;
      if (t.k === 'bytes') return decodeGoBase64(node.value).toString('base64');
      throw typeError('string', t, ctx);
    case 'bool':
      if (t.k === 'bool') return node.value;
      throw typeError('bool', t, ctx);
    case 'number':
      if (t.k === 'int' || t.k === 'uint') return decodeInteger(node.raw, t, ctx);
      if (t.k === 'float') return decodeFloat(node.raw, t, ctx);
      throw typeError('number', t, ctx);
    case 'array':
      if (t.k === 'slice') return node.items.map((item) => (item.kind === 'null' ? zeroOf(t.elem) : decodeValue(item, t.elem, ctx)));
      if (t.k === 'bytes') {
        const octet: GoType = { k: 'uint', name: 'uint8', bits: 8 };
        return Buffer.from(node.items.map((item) => (item.kind === 'null' ? 0 : (decodeValue(item, octet, ctx) as number)))).toString('base64');
      }
      throw typeError('array', t, ctx);
    case 'object':
      if (t.k === 'map') {
        return Object.fromEntries(
          node.entries.map(([key, value]) => [key, value.kind === 'null' ? zeroOf(t.elem) : decodeValue(value, t.elem, ctx)]),
        );
      }
      if (t.k === 'struct') return decodeStruct(node.entries, t, ctx);
      throw typeError('object', t, ctx);
  }
}

function decodeStruct(entries: [string, JsonNode][], t: Extract<GoType, { k: 'struct' }>, ctx: Context): Record<string, unknown> {
  const out = new Map<string, unknown>();
  const structName = t.name.slice(t.name.lastIndexOf('.') + 1);
  for (const [key, value] of entries) {
    const field = fieldFor(t, key);
    if (field === undefined) continue;
    const decoded = decodeValue(value, t.fields[field], { struct: structName, fields: [...ctx.fields, field] });
    if (decoded === undefined) out.delete(field);
    else out.set(field, decoded);
  }
  return Object.fromEntries(out);
}

/**
 * The Go value `node` decodes to as `type`, in plain JS (Go field names, numbers as JS numbers,
 * []byte as canonical base64, `null` fields left out). Throws GoDecodeError with Go's text.
 */
export function decodeGoValue(node: JsonNode, type: GoType): unknown {
  return decodeValue(node, type, { fields: [] });
}
