// Replaces what necessarily differs between two swarms by tokens, so that what remains can be
// compared exactly: IDs, times, ages, loopback addresses, hostnames, engine versions, the image
// name, the host port, join tokens and certificates.

import type { Table } from './table.js';
import type { Target, TargetFacts } from './targets.js';

export interface Normalizer {
  text(value: string): string;
  json(value: unknown): unknown;
  table(table: Table): Table;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A literal that is not part of a longer name, address or number. */
function standalone(literal: string): RegExp {
  return new RegExp(`(?<![\\w.:-])${escapeRegExp(literal)}(?![\\w-]|\\.\\w)`, 'g');
}

const FIXED_RULES: Array<[RegExp, string]> = [
  [/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\n?/g, '<PEM $1>'],
  [/SWMTKN-1-[0-9a-z]+-[0-9a-z]+/g, '<JOIN-TOKEN>'],
  [/SWMKEY-1-[A-Za-z0-9+/=]+/g, '<UNLOCK-KEY>'],
  // The root CA's public key (base64 SubjectPublicKeyInfo of a P-256 key): new in every swarm.
  [/MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE[A-Za-z0-9+/]+={0,2}/g, '<CA-PUBLIC-KEY>'],
  // RFC 3339 (JSON) and Go's time.String() ("2026-11-26 13:26:13.857 +0000 utc", node inspect --pretty).
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, '<TIME>'],
  [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} [A-Za-z]+/g, '<TIME>'],
  // go-units HumanDuration, as in "Running 3 seconds ago" and the CREATED columns.
  [/\b(?:less than a second|About an? (?:minute|hour)|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago\b/gi, '<AGO>'],
  [/\b[0-9a-f]{64}\b/g, '<ID64>'],
  // SwarmKit object IDs: 25 characters of base 36.
  [/\b(?=[a-z]*\d)[0-9a-z]{25}\b/g, '<ID>'],
  [/\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, '<ADDR>'],
];

/** Numbers whose value only says when or where something happened, by JSON path. */
const VOLATILE_NUMBERS: Array<[RegExp, string]> = [
  [/(?:^|\.)Version\.Index$/, '<INDEX>'],
  [/\.ContainerStatus\.PID$/, '<PID>'],
];

/** Table columns that hold IDs (shortened to 12 characters, or full with --no-trunc). */
const ID_COLUMNS = new Set(['ID', 'NETWORK ID', 'NODE ID', 'CONTAINER ID']);

export function normalizerFor(target: Target, facts: TargetFacts): Normalizer {
  const perTarget: Array<[RegExp, string]> = [
    [standalone(facts.engineVersion), '<ENGINE-VERSION>'],
    [standalone(target.image), '<IMAGE>'],
    [new RegExp(`(?<!\\d)${target.hostPort}(?!\\d)`, 'g'), '<HOST-PORT>'],
    [standalone(facts.hostname), '<HOSTNAME>'],
  ];
  const rules = [...FIXED_RULES, ...perTarget];

  const text = (value: string): string => rules.reduce((s, [re, token]) => s.replace(re, token), value);

  const json = (value: unknown, path = ''): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number') {
      for (const [re, token] of VOLATILE_NUMBERS) if (re.test(path)) return token;
      return value === target.hostPort && path.endsWith('PublishedPort') ? '<HOST-PORT>' : value;
    }
    if (Array.isArray(value)) {
      const items = value.map((v, i) => json(v, `${path}[${i}]`));
      // The docker CLI builds --env-add lists from a Go map: their order differs from run to run.
      return path.endsWith('ContainerSpec.Env') ? [...items].sort() : items;
    }
    if (value && typeof value === 'object') {
      // Keys can be IDs too (a network's Containers map).
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), json(v, path ? `${path}.${k}` : k)]));
    }
    return value;
  };

  const table = (t: Table): Table => ({
    columns: t.columns,
    rows: t.rows.map((row) =>
      row.map((cell, i) => (ID_COLUMNS.has(t.columns[i] ?? '') ? cell.replace(/^[0-9a-z]{12,64}\b/, '<ID>') : text(cell))),
    ),
  });

  return { text, json: (v) => json(v), table };
}
