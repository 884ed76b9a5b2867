import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkRemoteCA,
  createRootCA,
  generateJoinToken,
  joinTokensEqual,
  parseJoinToken,
  PkiError,
  type RootCA,
} from '../src/index.js';
import { realSwarm } from './fixtures.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let ca: RootCA;
beforeAll(async () => {
  ca = await createRootCA();
});

describe('generateJoinToken', () => {
  it('has the exact SwarmKit shape: SWMTKN-1-<50 base36>-<25 base36>', () => {
    for (let i = 0; i < 200; i++) {
      expect(generateJoinToken(ca.certPem)).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    }
  });

  it('encodes the sha256 of the exact root PEM bytes, shared by manager and worker tokens', () => {
    const manager = parseJoinToken(generateJoinToken(ca.certPem));
    const worker = parseJoinToken(generateJoinToken(ca.certPem));
    expect(manager.digest).toBe(sha256(ca.certPem));
    expect(worker.digest).toBe(manager.digest);
    expect(worker.secret).not.toBe(manager.secret);
    // One byte more (a trailing newline dropped, say) is a different CA.
    expect(parseJoinToken(generateJoinToken(ca.certPem.trimEnd())).digest).not.toBe(manager.digest);
  });

  it('writes the FIPS form on request', () => {
    const token = generateJoinToken(ca.certPem, { fips: true });
    expect(token).toMatch(/^SWMTKN-2-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(parseJoinToken(token)).toMatchObject({ version: 2, fips: true, digest: sha256(ca.certPem) });
  });
});

describe('parseJoinToken on real Docker tokens', () => {
  it('recovers the digest of the real root CA PEM', () => {
    const { trustRoot, workerToken, managerToken } = realSwarm.singleNode;
    const worker = parseJoinToken(workerToken);
    const manager = parseJoinToken(managerToken);
    expect(worker).toEqual({ version: 1, fips: false, digest: sha256(trustRoot), secret: 'brrt927v6y2pjyopb4aljfc1n' });
    expect(manager.digest).toBe(worker.digest);
    expect(manager.secret).toBe('4u4uay7ljjbjj5wntjdryqs5p');
    expect(parseJoinToken(realSwarm.multiNode.workerToken).digest).toBe(sha256(realSwarm.multiNode.trustRoot));
  });

  it('re-encodes a real digest exactly as Docker did (leading zero padding)', () => {
    const { trustRoot, workerToken } = realSwarm.singleNode;
    const regenerated = generateJoinToken(trustRoot);
    expect(regenerated.slice(0, 60)).toBe(workerToken.slice(0, 60));
    expect(workerToken.slice(9, 10)).toBe('0'); // this digest needs the left padding
  });

  it('accepts the SWMTKN-2-0 form', () => {
    const [, , d, s] = realSwarm.singleNode.workerToken.split('-');
    expect(parseJoinToken(`SWMTKN-2-0-${d}-${s}`)).toMatchObject({ version: 2, fips: false, secret: s });
  });
});

describe('parseJoinToken rejections', () => {
  const [, , d, s] = realSwarm.singleNode.workerToken.split('-');
  const bad: Array<[string, string]> = [
    ['', 'expected SWMTKN-1'],
    ['SWMTKN', 'expected SWMTKN-1'],
    [`SWMTKM-1-${d}-${s}`, 'expected SWMTKN-1'],
    [`SWMTKN-3-${d}-${s}`, 'unknown version'],
    [`SWMTKN-1-${d}-${s}-extra`, 'exactly 4'],
    [`SWMTKN-2-${d}-${s}`, 'version 2'],
    [`SWMTKN-2-7-${d}-${s}`, 'version 2'],
    [`SWMTKN-1-${d.slice(1)}-${s}`, 'digest must be 50'],
    [`SWMTKN-1-${d}-${s}x`, 'digest must be 50'],
    [`SWMTKN-1-${d.slice(0, 49)}!-${s}`, 'not base36'],
    [`SWMTKN-1-${'z'.repeat(50)}-${s}`, 'longer than a sha256'],
    [`SWMTKN-1-${d}-${s.slice(0, 24)}_`, 'secret is not base36'],
  ];
  it.each(bad)('rejects %j', (token, reason) => {
    let error: unknown;
    try {
      parseJoinToken(token);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe('INVALID_JOIN_TOKEN');
    expect((error as PkiError).message).toMatch(/^invalid join token/);
    expect((error as PkiError).message).toContain(reason);
  });

  it('rejects non-strings', () => {
    expect(() => parseJoinToken(42 as unknown as string)).toThrow(/invalid join token/);
  });
});

describe('checkRemoteCA', () => {
  it('accepts the CA the token was made for', () => {
    expect(() => checkRemoteCA(ca.certPem, generateJoinToken(ca.certPem))).not.toThrow();
    const { trustRoot, workerToken } = realSwarm.singleNode;
    expect(() => checkRemoteCA(trustRoot, workerToken)).not.toThrow();
    expect(() => checkRemoteCA(trustRoot, parseJoinToken(workerToken))).not.toThrow();
  });

  it("refuses another CA with SwarmKit's message", async () => {
    const other = await createRootCA();
    const token = generateJoinToken(ca.certPem);
    expect(() => checkRemoteCA(other.certPem, token)).toThrow(
      `remote CA does not match fingerprint. Expected: ${sha256(ca.certPem)}`,
    );
    try {
      checkRemoteCA(other.certPem, token);
    } catch (err) {
      expect((err as PkiError).code).toBe('CA_FINGERPRINT_MISMATCH');
    }
  });

  it('refuses a matching digest over something that is not a certificate', () => {
    expect(() => checkRemoteCA('hello', generateJoinToken('hello'))).toThrow(/no CERTIFICATE block/);
  });
});

describe('joinTokensEqual', () => {
  it('compares exactly', () => {
    const token = generateJoinToken(ca.certPem);
    expect(joinTokensEqual(token, token.slice())).toBe(true);
    expect(joinTokensEqual(token, generateJoinToken(ca.certPem))).toBe(false);
    expect(joinTokensEqual(token, token + 'x')).toBe(false);
    expect(joinTokensEqual(token, '')).toBe(false);
    expect(joinTokensEqual(token, undefined as unknown as string)).toBe(false);
  });
});
