import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNodeKeyAndCSR,
  createRootCA,
  issueNodeCertificate,
  newIdentityId,
  parseNodeCertificate,
  PkiError,
  type RootCA,
} from '../src/index.js';
import { x509 } from '../src/webcrypto.js';

let ca: RootCA;
beforeAll(async () => {
  ca = await createRootCA();
});

describe('parseNodeCertificate', () => {
  it('reads back node ID, role, cluster ID and validity', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const nodeId = newIdentityId();
    const clusterId = newIdentityId();
    for (const role of ['manager', 'worker'] as const) {
      const issued = await issueNodeCertificate(ca, csrPem, { nodeId, role, clusterId });
      const info = parseNodeCertificate(issued.certPem);
      expect(info).toMatchObject({ nodeId, role, clusterId, serialNumber: issued.serialNumber });
      expect(info.notBefore).toEqual(issued.notBefore);
      expect(info.notAfter).toEqual(issued.notAfter);
      expect(info.leafPem).toBe(issued.leafPem);
      expect(info.issuerPem).toBeUndefined();
    }
  });

  it('returns the intermediate that follows the leaf', async () => {
    const { csrPem } = await createNodeKeyAndCSR();
    const other = await createRootCA();
    const issued = await issueNodeCertificate(ca, csrPem, {
      nodeId: 'n',
      role: 'worker',
      clusterId: 'c',
      intermediatePem: other.certPem,
    });
    expect(issued.certPem).toBe(issued.leafPem + other.certPem);
    expect(parseNodeCertificate(issued.certPem).issuerPem).toBe(other.certPem);
  });

  it('says clearly when a certificate is not a swarm node certificate', async () => {
    expect(() => parseNodeCertificate(ca.certPem)).toThrow(/not a swarm node certificate: expected exactly one role \(OU\)/);
    expect(() => parseNodeCertificate('')).toThrow(PkiError);
    // A certificate with an OU that is not a swarm role.
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const foreign = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'O=c, OU=swarm-admin, CN=n',
      keys: keyPair,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    expect(() => parseNodeCertificate(foreign.toString('pem'))).toThrow(/unknown role OU "swarm-admin"/);
    expect(() => parseNodeCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(
      /not a swarm node certificate: malformed certificate/,
    );
    const err = (() => {
      try {
        parseNodeCertificate('x');
      } catch (e) {
        return e as PkiError;
      }
    })();
    expect(err?.code).toBe('NOT_A_NODE_CERTIFICATE');
  });
});
