import { describe, expect, it } from 'vitest';
import {
  decodeFilters,
  encodeFilters,
  encodeQuery,
  formatDate,
  formatTimestamp,
  parseQueryBool,
  parseTimestamp,
  type Node,
  type Service,
} from '../src/index.js';
import { expectApiError } from './helpers/expect-api-error.js';
import { fixture } from './helpers/fixtures.js';

describe('filters', () => {
  it('encodes every input form in the CLI map form', () => {
    expect(encodeFilters({ role: 'manager' })).toBe('{"role":{"manager":true}}');
    expect(encodeFilters({ service: ['a', 'b'], 'desired-state': 'running' })).toBe(
      '{"service":{"a":true,"b":true},"desired-state":{"running":true}}',
    );
    expect(encodeFilters({ '_up-to-date': { true: true } })).toBe('{"_up-to-date":{"true":true}}');
    expect(encodeFilters({ name: [] })).toBeUndefined();
    expect(encodeFilters(undefined)).toBeUndefined();
  });

  it('decodes the CLI map form and the dockerode array form alike', () => {
    expect(decodeFilters('{"label":{"com.docker.stack.namespace=st":true}}')).toEqual(
      new Map([['label', ['com.docker.stack.namespace=st']]]),
    );
    expect(decodeFilters('{"role":["manager"],"name":["a","b"]}')).toEqual(
      new Map([
        ['role', ['manager']],
        ['name', ['a', 'b']],
      ]),
    );
    expect(decodeFilters(undefined).size).toBe(0);
    expect(decodeFilters(encodeFilters({ node: ['n1', 'n2'] }))).toEqual(new Map([['node', ['n1', 'n2']]]));
  });

  it('refuses malformed filters and unknown keys as the daemon does', () => {
    expectApiError(() => decodeFilters('{not json'), 400, 'invalid filter');
    expectApiError(() => decodeFilters('["a"]'), 400, 'invalid filter');
    expectApiError(() => decodeFilters('{"name":"web"}'), 400, 'invalid filter');
    expectApiError(() => decodeFilters('{"colour":{"red":true}}', ['name', 'id']), 400, "invalid filter 'colour'");
  });
});

describe('query values', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['yes', true],
    ['', false],
    ['0', false],
    ['no', false],
    ['false', false],
    ['none', false],
    ['False', false],
    [undefined, false],
  ])('parses %j as %s', (value, expected) => {
    expect(parseQueryBool(value)).toBe(expected);
  });

  it('builds a query string from defined values only', () => {
    expect(encodeQuery({ force: undefined })).toBe('');
    expect(encodeQuery({ version: 7, insertDefaults: false, filters: '{"a":{"b":true}}' })).toBe(
      '?version=7&insertDefaults=false&filters=%7B%22a%22%3A%7B%22b%22%3Atrue%7D%7D',
    );
  });
});

describe('timestamps', () => {
  it('formats as Go prints RFC3339Nano: trailing zeros trimmed, no dot for whole seconds', () => {
    expect(formatTimestamp(1_795_686_386_322_813_730n)).toBe('2026-11-26T09:46:26.32281373Z');
    expect(formatTimestamp(1_795_686_386_000_000_000n)).toBe('2026-11-26T09:46:26Z');
    expect(formatTimestamp(1_795_686_386_100_000_000n)).toBe('2026-11-26T09:46:26.1Z');
    expect(formatDate(new Date(Date.UTC(2026, 10, 26, 9, 46, 26, 500)))).toBe('2026-11-26T09:46:26.5Z');
  });

  it('round-trips every timestamp a real daemon printed', () => {
    const stamps = [
      ...fixture<Node[]>('api-nodes.json').flatMap((n) => [n.CreatedAt, n.UpdatedAt]),
      ...fixture<Service[]>('api-services.json').flatMap((s) => [s.CreatedAt, s.UpdatedAt]),
    ];
    expect(stamps.length).toBeGreaterThan(5);
    for (const stamp of stamps) expect(formatTimestamp(parseTimestamp(stamp))).toBe(stamp);
  });

  it('parses offsets and refuses non-timestamps', () => {
    expect(parseTimestamp('2026-11-26T10:46:26.5+01:00')).toBe(parseTimestamp('2026-11-26T09:46:26.5Z'));
    expect(() => parseTimestamp('yesterday')).toThrow('invalid RFC 3339 timestamp: "yesterday"');
  });
});
