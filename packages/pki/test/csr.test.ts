import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeKeyAndCSR, createRootCA, encodePem, issueNodeCertificate, PkiError, verifyCSR, type RootCA } from '../src/index.js';
import { x509 } from '../src/webcrypto.js';
import { openssl } from './helpers.js';

let ca: RootCA;
beforeAll(async () => {
  ca = await createRootCA();
});

async function csrWithSubject(subject: string, sans: string[]): Promise<{ csrPem: string; keys: CryptoKeyPair }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'dns' as const, value })))],
  });
  return { csrPem: encodePem('CERTIFICATE REQUEST', csr.rawData), keys };
}

describe('createNodeKeyAndCSR', () => {
  it('makes a PKCS#8 P-256 key and a CSR openssl accepts, with no subject', async () => {
    const { keyPem, csrPem } = await createNodeKeyAndCSR();
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(openssl(['req', '-noout', '-verify'], csrPem + '')).toBe('');
    const text = openssl(['req', '-noout', '-text'], csrPem);
    expect(text).toMatch(/Subject: \n/);
    expect(text).toMatch(/NIST CURVE: P-256/);
  });
});

describe('CSR handling in issueNodeCertificate', () => {
  it('takes only the public key from the CSR; the CA chooses subject and SANs', async () => {
    const { csrPem, keys } = await csrWithSubject('CN=attacker, OU=swarm-manager, O=other-cluster', ['evil.example']);
    const issued = await issueNodeCertificate(ca, csrPem, { nodeId: 'node1', role: 'worker', clusterId: 'cluster1' });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject.split('\n')).toEqual(['O=cluster1', 'OU=swarm-worker', 'CN=node1']);
    expect(cert.subjectAltName).toBe('DNS:swarm-worker, DNS:node1');
    const csrSpki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
    expect(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(csrSpki)).toBe(true);
  });

  it('issues for the key that made the CSR', async () => {
    const { keyPem, csrPem } = await createNodeKeyAndCSR();
    const issued = await issueNodeCertificate(ca, csrPem, { nodeId: 'n', role: 'manager', clusterId: 'c' });
    expect(new X509Certificate(issued.certPem).checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    expect(new X509Certificate(issued.certPem).publicKey.export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
  });

  it('refuses a tampered CSR (signature no longer matches)', async () => {
    const { csrPem } = await csrWithSubject('CN=evil', []);
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('evil'));
    expect(at).toBeGreaterThan(0);
    der[at] = 'l'.charCodeAt(0); // "evil" -> "lvil": same length, valid DER, wrong signature
    const tampered = encodePem('CERTIFICATE REQUEST', der);
    await expect(issueNodeCertificate(ca, tampered, { nodeId: 'n', role: 'worker', clusterId: 'c' })).rejects.toThrow(
      'CSR signature is invalid',
    );
  });

  it('refuses a CSR with a forged public key', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const { csrPem: other } = await createNodeKeyAndCSR();
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    const otherDer = Buffer.from(other.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    // Swap in the other CSR's 65-byte EC point, keeping the original signature.
    const pointAt = (buf: Buffer) => buf.indexOf(Buffer.from([0x03, 0x42, 0x00, 0x04])) + 3;
    otherDer.copy(der, pointAt(der), pointAt(otherDer), pointAt(otherDer) + 65);
    await expect(
      issueNodeCertificate(ca, encodePem('CERTIFICATE REQUEST', der), { nodeId: 'n', role: 'worker', clusterId: 'c' }),
    ).rejects.toThrow(/CSR signature/);
  });

  it('refuses garbage and non-P-256 keys with a PkiError', async () => {
    const opts = { nodeId: 'n', role: 'worker' as const, clusterId: 'c' };
    await expect(issueNodeCertificate(ca, 'hello', opts)).rejects.toThrow(/no CERTIFICATE REQUEST block/);
    await expect(
      issueNodeCertificate(ca, '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', opts),
    ).rejects.toThrow(/malformed CSR/);
    const rsa = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({ keys: rsa, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } });
    const err = await issueNodeCertificate(ca, encodePem('CERTIFICATE REQUEST', rsaCsr.rawData), opts).catch((e) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect(err.code).toBe('INVALID_CSR');
    expect(err.message).toMatch(/only ECDSA P-256/);
  });
});

describe('verifyCSR', () => {
  it('returns the SubjectPublicKeyInfo of a good CSR and rejects a bad one', async () => {
    const { keyPem, csrPem } = await createNodeKeyAndCSR();
    const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    expect((await verifyCSR(csrPem)).equals(spki)).toBe(true);
    await expect(verifyCSR('nope')).rejects.toThrow(PkiError);
  });
});
