// Flag values, checked when the command line is parsed: a bad one is rejected by the parser with
// the flag's name before anything runs.

import { parseDuration, parseLoss, parseRate } from '@swarmlab/launcher';
import { InvalidArgumentError } from 'commander';

function wrap<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

export const count = (min: number) =>
  wrap((text: string) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new Error(`expected a whole number, ${min} or more`);
    return n;
  });

export const positiveNumber = wrap((text: string) => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new Error('expected a positive number');
  return n;
});

export const duration = wrap(parseDuration);
export const loss = wrap(parseLoss);
export const rate = wrap(parseRate);

/** A clock offset: a duration with an optional sign ("-30s", "+1h", "500ms"). */
export const signedDuration = wrap((text: string) => {
  const m = /^([+-]?)(.+)$/.exec(text.trim());
  const ms = parseDuration(m?.[2] ?? '');
  return m?.[1] === '-' ? -ms : ms;
});

export const profile = wrap((text: string) => {
  if (text !== 'fast' && text !== 'docker') throw new Error('expected fast or docker');
  return text as 'fast' | 'docker';
});

/** An IPv4 CIDR such as 10.20.0.0/16. */
export const cidr = wrap((text: string) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error('expected an IPv4 CIDR such as 10.20.0.0/16');
  return text.trim();
});

export const maskLength = wrap((text: string) => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 32) throw new Error('expected a prefix length from 1 to 32');
  return n;
});

const NEMESES = ['partition', 'kill', 'pause', 'clock', 'link', 'membership'] as const;

/** A comma list of nemesis kinds. */
export const nemesis = wrap((text: string) => {
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.filter((k) => !(NEMESES as readonly string[]).includes(k));
  if (kinds.length === 0 || bad.length > 0) throw new Error(`expected a comma list of ${NEMESES.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}`);
  return [...new Set(kinds)] as (typeof NEMESES)[number][];
});

export const workload = wrap((text: string) => {
  if (text !== 'register' && text !== 'services' && text !== 'mixed') throw new Error('expected register, services or mixed');
  return text as 'register' | 'services' | 'mixed';
});
