import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRootCA, loadRootCA, PkiError, ROOT_CA_EXPIRATION_MS, rootCADigest } from '../src/index.js';
import { openssl, opensslDate } from './helpers.js';

describe('createRootCA', () => {
  it('creates a self-signed ECDSA P-256 CA named swarm-ca, valid 20 years, like cfssl initca', async () => {
    const now = new Date('2026-03-01T12:00:20Z');
    const ca = await createRootCA({ now });
    const text = openssl(['x509', '-noout', '-text'], ca.certPem);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).toMatch(/Issuer: CN = swarm-ca\n/);
    expect(text).toMatch(/Subject: CN = swarm-ca\n/);
    expect(text).toMatch(/NIST CURVE: P-256/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).not.toMatch(/Authority Key Identifier/);

    const notBefore = opensslDate(/Not Before: (.+)/.exec(text)![1]);
    const notAfter = opensslDate(/Not After : (.+)/.exec(text)![1]);
    // cfssl: now rounded to the minute, minus its default 5-minute backdate.
    expect(notBefore.toISOString()).toBe('2026-03-01T11:55:00.000Z');
    expect(notAfter.getTime() - notBefore.getTime()).toBe(ROOT_CA_EXPIRATION_MS);

    const cert = new X509Certificate(ca.certPem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(true);
  });

  it('encodes its subject exactly as a real Docker root (CertIssuerSubject)', async () => {
    const ca = await createRootCA();
    const text = openssl(['x509', '-noout', '-subject', '-nameopt', 'multiline,show_type'], ca.certPem);
    expect(text).toContain('PRINTABLESTRING:swarm-ca');
    // The DER of the subject is the value real nodes report as TLSInfo.CertIssuerSubject.
    const der = Buffer.from(openssl(['x509', '-outform', 'DER'], ca.certPem), 'binary');
    expect(der.includes(Buffer.from('MBMxETAPBgNVBAMTCHN3YXJtLWNh', 'base64'))).toBe(true);
  });

  it('returns an unencrypted PKCS#8 key that belongs to the certificate', async () => {
    const ca = await createRootCA();
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(() => loadRootCA(ca.certPem, ca.keyPem)).not.toThrow();
    expect(ca.digest).toBe('sha256:' + createHash('sha256').update(ca.certPem).digest('hex'));
  });

  it('uses a fresh key and a random serial each time', async () => {
    const [a, b] = await Promise.all([createRootCA(), createRootCA()]);
    expect(a.keyPem).not.toBe(b.keyPem);
    expect(new X509Certificate(a.certPem).serialNumber).not.toBe(new X509Certificate(b.certPem).serialNumber);
  });
});

describe('loadRootCA', () => {
  it('refuses a key that does not belong to the certificate', async () => {
    const [a, b] = await Promise.all([createRootCA(), createRootCA()]);
    expect(() => loadRootCA(a.certPem, b.keyPem)).toThrow(/certificate key mismatch/);
  });

  it('refuses garbage with a PkiError', () => {
    expect(() => loadRootCA('not a pem', 'nope')).toThrow(PkiError);
  });
});

describe('rootCADigest', () => {
  it('is sha256 over the exact PEM bytes', () => {
    expect(rootCADigest('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
