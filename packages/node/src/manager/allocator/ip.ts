// IPv4 and IPv6 addresses and prefixes as Go's net/netip reads them (strict: no leading zeros in
// IPv4 octets or prefix lengths, no zones), held as bigints so one set of arithmetic serves both
// families. The network allocator and the IPAM checks of `network create` build on it.

export type Family = 4 | 6;

export interface Addr {
  family: Family;
  value: bigint;
}

export interface Prefix {
  addr: Addr;
  bits: number;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

function parseV4(text: string): bigint | undefined {
  // Hand-rolled: the allocator reads every address of a network's tasks on each pass.
  let value = 0;
  let octet = -1;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual final '.'
    if (c === 46) {
      if (digits === 0 || ++parts > 4) return undefined;
      value = value * 256 + octet;
      octet = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros ("010"), at most three digits, at most 255.
      if (digits === 1 && octet === 0) return undefined;
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? BigInt(value) : undefined;
}

function parseV6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined;
  let groups: string[];
  // An embedded IPv4 tail ("::ffff:1.2.3.4") counts as two groups.
  const lastColon = text.lastIndexOf(':');
  let tail: bigint | undefined;
  let head = text;
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseV4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  if (halves.length === 2) {
    const left = split(halves[0]);
    const right = split(halves[1]);
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = split(head);
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  return value;
}

/** netip.ParseAddr: undefined for anything that is not a plain IPv4 or IPv6 address. */
export function parseAddr(text: string): Addr | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const v = parseV6(text);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4(text);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** netip.ParsePrefix: "addr/bits" with bits within the family's width. */
export function parsePrefix(text: string): Prefix | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9]\d{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > WIDTH[addr.family]) return undefined;
  return { addr, bits };
}

function hostMask(family: Family, bits: number): bigint {
  return (1n << BigInt(WIDTH[family] - bits)) - 1n;
}

/** The prefix with its host bits cleared (netip.Prefix.Masked). */
export function masked(p: Prefix): Prefix {
  return { addr: { family: p.addr.family, value: p.addr.value & ~hostMask(p.addr.family, p.bits) }, bits: p.bits };
}

export function isMasked(p: Prefix): boolean {
  return (p.addr.value & hostMask(p.addr.family, p.bits)) === 0n;
}

export function contains(p: Prefix, a: Addr): boolean {
  if (p.addr.family !== a.family) return false;
  const m = masked(p);
  return a.value >= m.addr.value && a.value <= m.addr.value + hostMask(p.addr.family, p.bits);
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.addr.family !== b.addr.family) return false;
  const bits = Math.min(a.bits, b.bits);
  return masked({ addr: a.addr, bits }).addr.value === masked({ addr: b.addr, bits }).addr.value;
}

/** Number of addresses in the prefix. */
export function size(p: Prefix): bigint {
  return 1n << BigInt(WIDTH[p.addr.family] - p.bits);
}

/** The address `offset` places after the prefix's first address. */
export function nth(p: Prefix, offset: bigint): Addr {
  return { family: p.addr.family, value: masked(p).addr.value + offset };
}

export function formatAddr(a: Addr): string {
  if (a.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((a.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run (≥ 2) of zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p.addr)}/${p.bits}`;
}

/** "10.0.1.3/24" → the address part. */
export function addrOfCidr(cidr: string): Addr | undefined {
  return parseAddr(cidr.split('/')[0]);
}
