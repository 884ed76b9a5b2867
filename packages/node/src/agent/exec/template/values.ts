// Go values as a template sees them: strings, ints, bools, nil, maps and (anonymous) structs,
// each carrying its Go type name for error messages, and printed the way fmt prints them.

export interface GoStruct {
  kind: 'struct';
  /** e.g. "template.Platform" or "struct { ID string; Name string }" */
  type: string;
  pointer?: boolean;
  fields: Record<string, GoValue>;
}

export interface GoMap {
  kind: 'map';
  /** e.g. "map[string]string" */
  type: string;
  elemZero: GoValue;
  entries: Map<string, GoValue>;
}

export type GoValue = string | number | boolean | null | GoStruct | GoMap;

export function goStruct(type: string, fields: Record<string, GoValue>, pointer = false): GoStruct {
  return { kind: 'struct', type, fields, pointer };
}

export function stringMap(entries: Record<string, string> | undefined): GoMap {
  return { kind: 'map', type: 'map[string]string', elemZero: '', entries: new Map(Object.entries(entries ?? {})) };
}

export function typeOf(v: GoValue): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return v.kind === 'struct' ? `${v.pointer ? '*' : ''}${v.type}` : v.type;
  }
}

/** fmt's %v. */
export function formatValue(v: GoValue, top = true): string {
  if (v === null) return top ? '<no value>' : '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return String(v);
    default:
      if (v.kind === 'map') {
        const keys = [...v.entries.keys()].sort();
        return `map[${keys.map((k) => `${k}:${formatValue(v.entries.get(k)!, false)}`).join(' ')}]`;
      }
      return `${v.pointer ? '&' : ''}{${Object.values(v.fields)
        .map((f) => formatValue(f, false))
        .join(' ')}}`;
  }
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Go's %v for float64 is %g with the shortest representation.
  const s = String(n);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

/** text/template's notion of truth (if, with, and, or, not). */
export function isTrue(v: GoValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    default:
      return v.kind === 'map' ? v.entries.size > 0 : true;
  }
}

/** A printf subset: %v %s %d %q %x %X %t %% with flags - + 0 space and a width. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argIndex = 0;
  const re = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format))) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', widthText, precText, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argIndex++]!;
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = typeof arg === 'number' && verb === 's' ? `%!s(int=${arg})` : formatValue(arg, false);
        if (precText !== undefined && typeof arg === 'string') s = s.slice(0, Number(precText));
        break;
      case 'd':
        s = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${typeOf(arg)}=${formatValue(arg, false)})`;
        if (typeof arg === 'number' && flags.includes('+') && arg >= 0) s = `+${s}`;
        break;
      case 'q':
        s = typeof arg === 'string' ? JSON.stringify(arg) : `%!q(${typeOf(arg)}=${formatValue(arg, false)})`;
        break;
      case 'x':
      case 'X': {
        const hex = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(formatValue(arg, false)).toString('hex');
        s = verb === 'X' ? hex.toUpperCase() : hex;
        break;
      }
      case 't':
        s = typeof arg === 'boolean' ? String(arg) : `%!t(${typeOf(arg)}=${formatValue(arg, false)})`;
        break;
      default:
        s = `%!${verb}(${typeOf(arg)}=${formatValue(arg, false)})`;
    }
    const width = widthText ? Number(widthText) : 0;
    if (s.length < width) {
      if (flags.includes('-')) s = s.padEnd(width);
      else if (flags.includes('0') && verb !== 's' && verb !== 'v' && verb !== 'q') {
        const sign = /^[+-]/.test(s) ? s[0]! : '';
        s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
      } else if (flags.includes('0')) s = s.padStart(width, '0');
      else s = s.padStart(width);
    }
    out += s;
  }
  out += format.slice(last);
  if (argIndex < args.length) {
    out += `%!(EXTRA ${args
      .slice(argIndex)
      .map((a) => `${typeOf(a)}=${formatValue(a, false)}`)
      .join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, false);
  });
  return out;
}
