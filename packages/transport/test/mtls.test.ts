import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkRemoteCA, createNodeKeyAndCSR, generateJoinToken, issueNodeCertificate, newIdentityId } from '@swarmlab/pki';
import { Nic } from '../src/nic.js';
import { TransportServer } from '../src/server.js';
import { dial } from '../src/dialer.js';
import { SecurityConfig } from '../src/tls/security-config.js';
import { TransportError } from '../src/errors.js';
import type { Link } from '../src/link.js';
import type { ServiceTable } from '../src/services.js';
import { createTestCluster, recordingLogger, waitFor, type NodeCredentials, type TestCluster } from './helpers.js';

const SERVER_ADDRESS = '127.0.10.1';
const CLIENT_ADDRESS = '127.0.10.2';
const JOIN_TOKEN_ERROR = 'A valid join token is necessary to join this cluster';

let cluster: TestCluster;
let otherCluster: TestCluster;
let manager: NodeCredentials;
let worker: NodeCredentials;
let workerToken: string;

const opened: { close(): unknown }[] = [];
const links: Link[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) link.destroy('test over');
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

beforeAll(async () => {
  [cluster, otherCluster] = await Promise.all([createTestCluster(), createTestCluster()]);
  [manager, worker] = await Promise.all([cluster.issue('manager'), cluster.issue('worker')]);
  workerToken = generateJoinToken(cluster.ca.certPem);
});

/** The toy CA service of the join exchange: unauthenticated, validates the token, signs with pki. */
function caService(): ServiceTable {
  return {
    ca: {
      access: 'unauthenticated',
      methods: {
        getRootCACertificate: () => ({ certificate: cluster.ca.certPem }),
        issueNodeCertificate: async (body) => {
          const { token, csr } = body as { token: string; csr: string };
          if (token !== workerToken) throw Object.assign(new Error(JOIN_TOKEN_ERROR), { code: 'InvalidArgument' });
          const nodeId = newIdentityId();
          const issued = await issueNodeCertificate(cluster.ca, csr, { nodeId, role: 'worker', clusterId: cluster.clusterId });
          return { nodeId, certificate: issued.certPem };
        },
      },
    },
  };
}

function services(): ServiceTable {
  return {
    ...caService(),
    echo: { methods: { whoami: (_body, context) => context.peer } },
    raft: { access: 'managerOnly', methods: { step: () => 'stepped' } },
  };
}

async function startServer(options: { clusterId?: string; denyList?: string[]; now?: () => Date } = {}) {
  const logger = recordingLogger();
  const nic = new Nic({ address: SERVER_ADDRESS });
  opened.push(nic);
  const security = new SecurityConfig({
    certPem: manager.certPem,
    keyPem: manager.keyPem,
    roots: [cluster.ca.certPem],
    clusterId: options.clusterId ?? cluster.clusterId,
    denyList: options.denyList,
    now: options.now,
  });
  const server = new TransportServer({ nic, port: 0, security, services: services(), logger });
  opened.push(server);
  const port = await server.listen();
  return { server, security, port, logger };
}

function clientNic(): Nic {
  const nic = new Nic({ address: CLIENT_ADDRESS });
  opened.push(nic);
  return nic;
}

function clientSecurity(credentials?: NodeCredentials, roots = [cluster.ca.certPem]): SecurityConfig {
  return new SecurityConfig({ certPem: credentials?.certPem, keyPem: credentials?.keyPem, roots, clusterId: cluster.clusterId });
}

async function connect(port: number, security: SecurityConfig, verifyServer = true): Promise<Link> {
  const link = await dial({ nic: clientNic(), host: SERVER_ADDRESS, port, security, verifyServer });
  links.push(link);
  return link;
}

/** A refused client sees its link die (or never get one): either way the call fails with Unavailable. */
async function expectRefusedCall(port: number, security: SecurityConfig): Promise<void> {
  const attempt = async () => {
    const link = await connect(port, security, false);
    return link.request('echo', 'whoami', null, { timeoutMs: 5000 });
  };
  await expect(attempt()).rejects.toMatchObject({ code: 'Unavailable' });
}

describe('mTLS links', () => {
  it('hands the handler the peer identity read from its certificate', async () => {
    const { port } = await startServer();
    const link = await connect(port, clientSecurity(worker));
    expect(link.peer).toMatchObject({ nodeId: manager.nodeId, role: 'manager', clusterId: cluster.clusterId });
    const seen = await link.request('echo', 'whoami', null);
    expect(seen).toMatchObject({ nodeId: worker.nodeId, role: 'worker', clusterId: cluster.clusterId });
  });

  it('lets a peer without a certificate use only unauthenticated services', async () => {
    const { port } = await startServer();
    const link = await connect(port, clientSecurity(undefined));
    expect(await link.request('ca', 'getRootCACertificate', null)).toEqual({ certificate: cluster.ca.certPem });
    const refused = link.request('echo', 'whoami', null);
    await expect(refused).rejects.toBeInstanceOf(TransportError);
    await expect(refused).rejects.toMatchObject({
      code: 'PermissionDenied',
      message: 'Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no client certificates in request',
    });
  });

  it('refuses a certificate from another cluster CA, logging and counting the reason', async () => {
    const { server, port, logger } = await startServer();
    const stranger = await otherCluster.issue('worker', { clusterId: cluster.clusterId });
    await expectRefusedCall(port, clientSecurity(stranger));
    expect(server.stats().refusedByKind).toEqual({ untrusted: 1 });
    expect(logger.records).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'connection refused', fields: expect.objectContaining({ reason: 'x509: certificate signed by unknown authority' }) }),
    );
  });

  it('refuses an expired certificate', async () => {
    const { server, port, logger } = await startServer();
    const expired = await cluster.issue('worker', { now: new Date(Date.now() - 48 * 3600_000), expiryMs: 3600_000 });
    await expectRefusedCall(port, clientSecurity(expired));
    expect(server.stats().refusedByKind).toEqual({ expired: 1 });
    const refusal = logger.records.find((r) => r.message === 'connection refused');
    expect(String(refusal?.fields.reason)).toMatch(/^x509: certificate has expired or is not yet valid: current time .* is after /);
  });

  it('judges expiry by the node clock, not the wall clock', async () => {
    const farFuture = () => new Date(Date.now() + 200 * 24 * 3600_000);
    const { server, port } = await startServer({ now: farFuture });
    await expectRefusedCall(port, clientSecurity(worker));
    expect(server.stats().refusedByKind).toEqual({ expired: 1 });
  });

  it('refuses a certificate of the same CA carrying another cluster ID', async () => {
    const { server, port } = await startServer();
    const wrongCluster = await cluster.issue('worker', { clusterId: newIdentityId() });
    await expectRefusedCall(port, clientSecurity(wrongCluster));
    expect(server.stats().refusedByKind).toEqual({ 'wrong-cluster': 1 });
  });

  it('refuses a deny-listed (removed) node, and the deny-list is replaceable at run time', async () => {
    const { server, security, port, logger } = await startServer({ denyList: [worker.nodeId] });
    await expectRefusedCall(port, clientSecurity(worker));
    expect(server.stats().refusedByKind).toEqual({ 'removed-node': 1 });
    expect(logger.records.some((r) => r.fields.reason === `Permission denied: node ${worker.nodeId} was removed from swarm`)).toBe(true);
    security.setDenyList([]);
    const link = await connect(port, clientSecurity(worker));
    expect(await link.request('echo', 'whoami', null)).toMatchObject({ nodeId: worker.nodeId });
  });

  it('gives a worker certificate a clear refusal from a manager-only service', async () => {
    const { port } = await startServer();
    const workerLink = await connect(port, clientSecurity(worker));
    await expect(workerLink.request('raft', 'step', null)).rejects.toMatchObject({
      code: 'PermissionDenied',
      message:
        'Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: remote certificate not part of OUs: [swarm-manager]',
    });
    const otherManager = await cluster.issue('manager');
    const managerLink = await connect(port, clientSecurity(otherManager));
    expect(await managerLink.request('raft', 'step', null)).toBe('stepped');
  });

  it('accepts certificates of a new root once the trusted roots are replaced (root rotation)', async () => {
    const { security, port } = await startServer();
    const rotated = await otherCluster.issue('worker', { clusterId: cluster.clusterId });
    await expectRefusedCall(port, clientSecurity(rotated));
    security.setRoots([cluster.ca.certPem, otherCluster.ca.certPem]);
    const link = await connect(port, clientSecurity(rotated, [cluster.ca.certPem]));
    expect(await link.request('echo', 'whoami', null)).toMatchObject({ nodeId: rotated.nodeId });
  });

  it('the client verifies the server: it must chain to a trusted root and be a manager', async () => {
    const { port } = await startServer();
    await expect(dial({ nic: clientNic(), host: SERVER_ADDRESS, port, security: clientSecurity(worker, [otherCluster.ca.certPem]) })).rejects.toMatchObject({
      code: 'Unavailable',
      message: 'connection error: desc = "transport: authentication handshake failed: x509: certificate signed by unknown authority"',
    });

    // A server presenting a worker certificate is not a manager.
    const nic = new Nic({ address: '127.0.10.3' });
    opened.push(nic);
    const impostor = new TransportServer({ nic, port: 0, services: {}, security: clientSecurity(worker) });
    opened.push(impostor);
    const impostorPort = await impostor.listen();
    await expect(dial({ nic: clientNic(), host: '127.0.10.3', port: impostorPort, security: clientSecurity(manager) })).rejects.toThrowError(
      `x509: certificate is valid for swarm-worker, ${worker.nodeId}, not swarm-manager`,
    );
  });

  it('fails a dial to a port nobody listens on with grpc-go words', async () => {
    const { port, server } = await startServer();
    await server.close();
    await expect(dial({ nic: clientNic(), host: SERVER_ADDRESS, port, security: clientSecurity(worker) })).rejects.toMatchObject({
      code: 'Unavailable',
      message: `connection error: desc = "transport: Error while dialing dial tcp ${SERVER_ADDRESS}:${port}: connect: connection refused"`,
    });
  });
});

describe('the join exchange', () => {
  async function join(token: string) {
    const { port } = await startServer();
    // 1. No certificate and no roots yet: dial without verifying the server.
    const joiner = new SecurityConfig();
    const bootstrap = await connect(port, joiner, false);
    const { certificate: rootPem } = (await bootstrap.request('ca', 'getRootCACertificate', null)) as { certificate: string };
    // 2. Check the fetched root against the digest in the token (pki's job).
    checkRemoteCA(rootPem, token);
    // 3. Present token + CSR to the unauthenticated issuing service.
    const { keyPem, csrPem } = await createNodeKeyAndCSR();
    const issued = (await bootstrap.request('ca', 'issueNodeCertificate', { token, csr: csrPem })) as { nodeId: string; certificate: string };
    return { port, rootPem, keyPem, issued };
  }

  it('with the right token, the joiner gets a certificate and then talks over verified mTLS', async () => {
    const { port, rootPem, keyPem, issued } = await join(workerToken);
    const member = new SecurityConfig({ certPem: issued.certificate, keyPem, roots: [rootPem], clusterId: cluster.clusterId });
    expect(member.identity).toMatchObject({ nodeId: issued.nodeId, role: 'worker', clusterId: cluster.clusterId });
    const link = await connect(port, member);
    expect(await link.request('echo', 'whoami', null)).toMatchObject({ nodeId: issued.nodeId, role: 'worker' });
  });

  it('with a wrong token, the CA answers InvalidArgument with SwarmKit text', async () => {
    const wrongToken = generateJoinToken(cluster.ca.certPem);
    await expect(join(wrongToken)).rejects.toMatchObject({ code: 'InvalidArgument', message: JOIN_TOKEN_ERROR });
  });

  it('the joiner notices a CA that does not match its token digest', async () => {
    const otherToken = generateJoinToken(otherCluster.ca.certPem);
    await expect(join(otherToken)).rejects.toThrowError(/remote CA does not match fingerprint/);
  });
});

describe('server bookkeeping', () => {
  it('counts accepted links and closes them on shutdown', async () => {
    const { server, port } = await startServer();
    const link = await connect(port, clientSecurity(worker));
    await link.request('echo', 'whoami', null);
    expect(server.stats()).toMatchObject({ accepted: 1, refused: 0, open: 1 });
    await server.close();
    await waitFor(() => link.closed, 'client link to notice the shutdown');
  });
});

describe('SecurityConfig input', () => {
  it('rejects unusable credentials and roots with a clear error, keeping what it had', async () => {
    const config = new SecurityConfig({ certPem: worker.certPem, keyPem: worker.keyPem, roots: [cluster.ca.certPem] });
    expect(() => config.setRoots(['not a pem'])).toThrowError('trusted root 1 contains no PEM certificate');
    expect(() => config.setCredentials(worker.certPem, manager.keyPem)).toThrowError(/node certificate and key do not form a usable TLS identity/);
    expect(() => config.setCredentials(cluster.ca.certPem, cluster.ca.keyPem)).toThrowError('node certificate: certificate has no cluster ID (O)');
    expect(config.identity).toMatchObject({ nodeId: worker.nodeId, role: 'worker' });
    expect(config.roots).toEqual([cluster.ca.certPem]);
  });
});
