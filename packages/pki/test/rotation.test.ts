import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  certIssuerInfo,
  createNodeKeyAndCSR,
  createRootCA,
  crossSignRootCA,
  issueNodeCertificate,
  newIdentityId,
  nodeCertIssuerInfo,
  parseNodeCertificate,
  PkiError,
  rootCADigest,
  type IssuedCertificate,
  type RootCA,
} from '../src/index.js';
import { realSwarm } from './fixtures.js';
import { openssl, opensslVerifies } from './helpers.js';

let oldCA: RootCA;
let newCA: RootCA;
let crossSigned: string;
const clusterId = newIdentityId();

beforeAll(async () => {
  oldCA = await createRootCA();
  newCA = await createRootCA();
  crossSigned = await crossSignRootCA(oldCA, newCA);
});

async function issue(ca: RootCA, role: 'manager' | 'worker', intermediatePem?: string) {
  const { keyPem, csrPem } = await createNodeKeyAndCSR();
  const cert = await issueNodeCertificate(ca, csrPem, { nodeId: newIdentityId(), role, clusterId, intermediatePem });
  return { keyPem, cert };
}

describe('crossSignRootCA', () => {
  it("copies the new root's subject, key, serial and validity, issued by the old root", () => {
    const cross = new X509Certificate(crossSigned);
    const fresh = new X509Certificate(newCA.certPem);
    const old = new X509Certificate(oldCA.certPem);
    expect(cross.subject).toBe(fresh.subject);
    expect(cross.issuer).toBe(old.subject);
    expect(cross.serialNumber).toBe(fresh.serialNumber);
    expect(cross.validFrom).toBe(fresh.validFrom);
    expect(cross.validTo).toBe(fresh.validTo);
    expect(cross.ca).toBe(true);
    expect(cross.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      fresh.publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(cross.verify(old.publicKey)).toBe(true);
    expect(cross.verify(fresh.publicKey)).toBe(false);
    const text = openssl(['x509', '-noout', '-text'], crossSigned);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    // Names the old root's key, so OpenSSL does not mistake the copy for a self-signed root.
    const oldSki = /Subject Key Identifier: \n\s+(\S+)/.exec(openssl(['x509', '-noout', '-text'], oldCA.certPem))![1];
    expect(/Authority Key Identifier: \n\s+(\S+)/.exec(text)![1]).toBe(oldSki);
  });

  it('refuses to cross-sign a leaf certificate', async () => {
    const { cert } = await issue(newCA, 'worker');
    await expect(crossSignRootCA(oldCA, { certPem: cert.certPem })).rejects.toThrow(/not a CA certificate/);
    await expect(crossSignRootCA(oldCA, { certPem: 'junk' })).rejects.toBeInstanceOf(PkiError);
  });
});

describe('chains during a root rotation', () => {
  it('leaf + cross-signed validates under the OLD root; the leaf alone under the NEW root only', async () => {
    const { cert } = await issue(newCA, 'manager', crossSigned);
    expect(parseNodeCertificate(cert.certPem).issuerPem).toBe(crossSigned);
    expect(opensslVerifies(oldCA.certPem, cert.leafPem, crossSigned)).toBe(true);
    expect(opensslVerifies(newCA.certPem, cert.leafPem)).toBe(true);
    expect(opensslVerifies(oldCA.certPem, cert.leafPem)).toBe(false);
    expect(opensslVerifies(newCA.certPem, (await issue(oldCA, 'worker')).cert.certPem)).toBe(false);
  });

  describe('over a real TLS handshake', () => {
    const servers: tls.Server[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    });

    async function handshake(
      server: { keyPem: string; cert: IssuedCertificate; trust: string[] },
      client: { keyPem: string; cert: IssuedCertificate; trust: string[] },
    ): Promise<{ ok: boolean; error?: string }> {
      const srv = tls.createServer({
        key: server.keyPem,
        cert: server.cert.certPem,
        ca: server.trust,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      });
      srv.on('secureConnection', (socket) => socket.end());
      srv.on('tlsClientError', () => undefined);
      servers.push(srv);
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
      const { port } = srv.address() as AddressInfo;
      return new Promise((resolve) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'swarm-manager',
          key: client.keyPem,
          cert: client.cert.certPem,
          ca: client.trust,
          minVersion: 'TLSv1.2',
        });
        socket.once('secureConnect', () => {
          socket.destroy();
          resolve({ ok: true });
        });
        socket.once('error', (err) => {
          socket.destroy();
          resolve({ ok: false, error: err.message });
        });
      });
    }

    it('a new-key manager and an old-key worker trust each other while nodes trust only the old root', async () => {
      const manager = await issue(newCA, 'manager', crossSigned);
      const worker = await issue(oldCA, 'worker');
      const result = await handshake(
        { ...manager, trust: [oldCA.certPem] },
        { ...worker, trust: [oldCA.certPem] },
      );
      expect(result).toEqual({ ok: true });
    });

    it('once rotated, a node trusting only the new root accepts new-key certificates', async () => {
      const manager = await issue(newCA, 'manager');
      const worker = await issue(newCA, 'worker', crossSigned);
      expect(await handshake({ ...manager, trust: [newCA.certPem] }, { ...worker, trust: [newCA.certPem] })).toEqual({
        ok: true,
      });
    });

    it('a certificate from an unrelated CA is refused', async () => {
      const manager = await issue(oldCA, 'manager');
      const stranger = await issue(await createRootCA(), 'worker');
      const result = await handshake({ ...manager, trust: [oldCA.certPem] }, { ...manager, trust: [stranger.cert.certPem] });
      expect(result.ok).toBe(false);
    });
  });
});

describe('issuer info (TLSInfo.CertIssuerSubject / CertIssuerPublicKey)', () => {
  it('matches what a real Docker node reports for its root', () => {
    const { trustRoot, certIssuerSubject, certIssuerPublicKey } = realSwarm.singleNode;
    expect(certIssuerInfo(trustRoot)).toEqual({ certIssuerSubject, certIssuerPublicKey });
  });

  it('names the new key for a leaf + cross-signed chain, and the old key for an old leaf', async () => {
    const rotated = await issue(newCA, 'worker', crossSigned);
    const legacy = await issue(oldCA, 'worker');
    expect(nodeCertIssuerInfo(rotated.cert.certPem, oldCA.certPem)).toEqual(certIssuerInfo(newCA.certPem));
    expect(nodeCertIssuerInfo(legacy.cert.certPem, oldCA.certPem)).toEqual(certIssuerInfo(oldCA.certPem));
    expect(certIssuerInfo(newCA.certPem)).not.toEqual(certIssuerInfo(oldCA.certPem));
    expect(() => nodeCertIssuerInfo(legacy.cert.certPem, newCA.certPem)).toThrow(/not signed by any certificate/);
  });
});

describe('rootCADigest', () => {
  it('differs between the old and the new root', () => {
    expect(rootCADigest(oldCA.certPem)).toBe(oldCA.digest);
    expect(rootCADigest(newCA.certPem)).not.toBe(oldCA.digest);
  });
});
