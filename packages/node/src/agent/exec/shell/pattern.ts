// Shell patterns (* ? [...]) for case arms, ${var#pat} and pathname expansion. A pattern is
// written with backslash escapes for characters that were quoted, so "*" never globs.

export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    // A bracket only globs when it closes: `[` alone (the test command) is a plain word.
    else if (c === '[' && pattern.indexOf(']', i + 2) !== -1) return true;
  }
  return false;
}

/** The literal text of a pattern (escapes removed). */
export function unescapePattern(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1');
}

export function escapePattern(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}

/** Compiles a pattern; `pathSegment` keeps * and ? from matching '/'. */
export function patternToRegExp(pattern: string, { pathSegment = false, anchored = true } = {}): RegExp {
  const any = pathSegment ? '[^/]' : '[\\s\\S]';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegExp(pattern[++i]!);
    } else if (c === '*') {
      re += `${any}*`;
    } else if (c === '?') {
      re += any;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(anchored ? `^${re}$` : re, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function matchPattern(pattern: string, text: string): boolean {
  return patternToRegExp(pattern).test(text);
}

/** ${var#pat} / ${var##pat} / ${var%pat} / ${var%%pat}. */
export function trimPattern(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const re = patternToRegExp(pattern);
  if (op === '#' || op === '##') {
    const lengths = [...Array(value.length + 1).keys()];
    if (op === '##') lengths.reverse();
    for (const n of lengths) if (re.test(value.slice(0, n))) return value.slice(n);
  } else {
    const starts = [...Array(value.length + 1).keys()];
    if (op === '%') starts.reverse();
    for (const s of starts) if (re.test(value.slice(s))) return value.slice(0, s);
  }
  return value;
}
