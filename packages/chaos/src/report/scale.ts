// Mapping data to pixels, and tick values a person can read.

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const span = d1 - d0 || 1;
  const f = ((v: number) => range[0] + ((v - d0) / span) * (range[1] - range[0])) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

export function logScale(domain: [number, number], range: [number, number]): Scale {
  const lo = Math.log10(Math.max(domain[0], Number.MIN_VALUE));
  const hi = Math.log10(Math.max(domain[1], domain[0] * 10));
  const inner = linearScale([lo, hi], range);
  const f = ((v: number) => inner(Math.log10(Math.max(v, Number.MIN_VALUE)))) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Steps of 1, 2 or 5 times a power of ten, about `count` of them across [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Powers of ten covering [min, max], for a log axis. */
export function decadeTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); 10 ** e <= max * 1.0001; e++) if (10 ** e >= min * 0.9999) ticks.push(10 ** e);
  return ticks;
}

/** One decimal place is plenty for pixel coordinates and keeps paths small. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}
