import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNodeKeyAndCSR,
  createRootCA,
  DEFAULT_NODE_CERT_EXPIRY_MS,
  issueNodeCertificate,
  newIdentityId,
  PkiError,
  validateCertExpiry,
  type RootCA,
} from '../src/index.js';
import { openssl, opensslDate, opensslVerifies } from './helpers.js';

const HOUR = 3_600_000;

let ca: RootCA;
beforeAll(async () => {
  ca = await createRootCA();
});

describe('issueNodeCertificate: what openssl sees', () => {
  it('a manager certificate carries exactly the SwarmKit fields', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const nodeId = newIdentityId();
    const clusterId = newIdentityId();
    const now = new Date('2026-05-10T08:30:10Z');
    const rootThen = await createRootCA({ now });
    const issued = await issueNodeCertificate(rootThen, csrPem, { nodeId, role: 'manager', clusterId, now });
    const text = openssl(['x509', '-noout', '-text'], issued.certPem);

    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).toMatch(/Issuer: CN = swarm-ca\n/);
    expect(text).toContain(`Subject: O = ${clusterId}, OU = swarm-manager, CN = ${nodeId}\n`);
    expect(text).toMatch(/NIST CURVE: P-256/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(text).toContain(`X509v3 Subject Alternative Name: \n                DNS:swarm-manager, DNS:${nodeId}, DNS:swarm-ca\n`);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);

    const notBefore = opensslDate(/Not Before: (.+)/.exec(text)![1]);
    const notAfter = opensslDate(/Not After : (.+)/.exec(text)![1]);
    // Backdated one hour (from now rounded to the minute, as cfssl does), valid 90 days from now.
    expect(notBefore.toISOString()).toBe('2026-05-10T07:30:00.000Z');
    expect(notAfter.toISOString()).toBe('2026-08-08T08:30:00.000Z');
    expect(notAfter.getTime() - notBefore.getTime()).toBe(DEFAULT_NODE_CERT_EXPIRY_MS + HOUR);
    expect(issued.notBefore).toEqual(notBefore);
    expect(issued.notAfter).toEqual(notAfter);

    expect(opensslVerifies(rootThen.certPem, issued.certPem, undefined, now)).toBe(true);
    expect(opensslVerifies(ca.certPem, issued.certPem, undefined, now)).toBe(false);
  });

  it('a worker certificate has no swarm-ca SAN', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const nodeId = newIdentityId();
    const issued = await issueNodeCertificate(ca, csrPem, { nodeId, role: 'worker', clusterId: newIdentityId() });
    const text = openssl(['x509', '-noout', '-ext', 'subjectAltName'], issued.certPem);
    expect(text.trim().split('\n').pop()!.trim()).toBe(`DNS:swarm-worker, DNS:${nodeId}`);
    expect(openssl(['x509', '-noout', '-subject'], issued.certPem)).toContain('OU = swarm-worker');
  });

  it('uses a random serial for each certificate', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const opts = { nodeId: newIdentityId(), role: 'worker' as const, clusterId: newIdentityId() };
    const a = await issueNodeCertificate(ca, csrPem, opts);
    const b = await issueNodeCertificate(ca, csrPem, opts);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(new X509Certificate(a.certPem).serialNumber.toLowerCase()).toBe(a.serialNumber);
  });
});

describe('issueNodeCertificate: expiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  async function lifetime(expiryMs?: number): Promise<number> {
    const { csrPem } = await createNodeKeyAndCSR();
    const issued = await issueNodeCertificate(ca, csrPem, { nodeId: 'n', role: 'worker', clusterId: 'c', now, expiryMs });
    expect(issued.notBefore.getTime()).toBe(now.getTime() - HOUR);
    return issued.notAfter.getTime() - now.getTime();
  }

  it('honours a requested expiry of at least one hour', async () => {
    expect(await lifetime(HOUR)).toBe(HOUR);
    expect(await lifetime(12 * HOUR)).toBe(12 * HOUR);
  });

  it('silently turns an expiry below one hour (or none) into 90 days, as the SwarmKit signer does', async () => {
    expect(await lifetime(undefined)).toBe(DEFAULT_NODE_CERT_EXPIRY_MS);
    expect(await lifetime(HOUR - 1)).toBe(DEFAULT_NODE_CERT_EXPIRY_MS);
    expect(await lifetime(-5)).toBe(DEFAULT_NODE_CERT_EXPIRY_MS);
  });

  it('validateCertExpiry gives the control API text below one hour', () => {
    expect(() => validateCertExpiry(HOUR - 1)).toThrow('minimum certificate expiry time is: 1h0m0s');
    expect(() => validateCertExpiry(0)).toThrow(PkiError);
    expect(() => validateCertExpiry(Number.NaN)).toThrow(PkiError);
    expect(() => validateCertExpiry(HOUR)).not.toThrow();
  });
});

describe('issueNodeCertificate: bad input', () => {
  it('refuses an unknown role, empty IDs and a CA without key', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    await expect(
      issueNodeCertificate(ca, csrPem, { nodeId: 'n', role: 'admin' as 'worker', clusterId: 'c' }),
    ).rejects.toThrow(/invalid node role/);
    await expect(issueNodeCertificate(ca, csrPem, { nodeId: '', role: 'worker', clusterId: 'c' })).rejects.toThrow(
      /nodeId must be/,
    );
    await expect(
      issueNodeCertificate({ certPem: ca.certPem, keyPem: 'nope', digest: ca.digest }, csrPem, {
        nodeId: 'n',
        role: 'worker',
        clusterId: 'c',
      }),
    ).rejects.toThrow(PkiError);
  });

  it('refuses an intermediate that is not a certificate', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    await expect(
      issueNodeCertificate(ca, csrPem, { nodeId: 'n', role: 'worker', clusterId: 'c', intermediatePem: 'junk' }),
    ).rejects.toThrow(/intermediatePem/);
  });
});

describe('issueNodeCertificate: CA consistency', () => {
  it('refuses to sign with a key that does not belong to the CA certificate', async () => {
    const other = await createRootCA();
    const { csrPem } = await createNodeKeyAndCSR();
    await expect(
      issueNodeCertificate({ ...ca, keyPem: other.keyPem }, csrPem, { nodeId: 'n', role: 'worker', clusterId: 'c' }),
    ).rejects.toThrow(/certificate key mismatch/);
  });

  it('notices a RootCA object changed in place', async () => {
    const mutable: RootCA = { ...ca };
    const { csrPem } = await createNodeKeyAndCSR();
    const opts = { nodeId: 'n', role: 'worker' as const, clusterId: 'c' };
    expect(opensslVerifies(ca.certPem, (await issueNodeCertificate(mutable, csrPem, opts)).certPem)).toBe(true);
    const next = await createRootCA();
    Object.assign(mutable, next);
    expect(opensslVerifies(next.certPem, (await issueNodeCertificate(mutable, csrPem, opts)).certPem)).toBe(true);
  });
});
