// The CA server on the leader (SwarmKit ca/server.go): a joiner presents a join token and a
// CSR and gets a node certificate; a node with a valid certificate renews it (role changes,
// expiry). The root key lives only in the replicated cluster object, never on disk.

import type { RootCA } from '@swarmlab/pki';
import { joinTokensEqual, newIdentityId } from '@swarmlab/pki/light';
import { DAEMON, grpcError } from '../../errors.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import { ENGINE_PLUGINS, ENGINE_VERSION, type Availability, type NodeObject, type Role } from '../objects.js';
import { desiredTLSInfo, signingRoot, trustBundle, type TLSInfo } from './rotation.js';

export interface NodeDescriptionInput {
  hostname: string;
  addr: string;
  os?: string;
  arch?: string;
  nanoCPUs?: number;
  memoryBytes?: number;
  engineLabels?: Record<string, string>;
}

export interface IssueRequest {
  csr: string;
  token: string;
  availability?: string;
  description: NodeDescriptionInput;
}

export interface IssueResponse {
  nodeId: string;
  role: Role;
  certPem: string;
  rootCAPem: string;
}

const NS_PER_MS = 1_000_000;

function certExpiryMs(ctx: ManagerContext): number | undefined {
  const ns = clusterOf(ctx).Spec.CAConfig.NodeCertExpiry;
  return ns ? ns / NS_PER_MS : undefined;
}

/**
 * The cluster's current root CA, loaded once per root: pki keeps a RootCA's imported signing key
 * with the object, so reusing it spares every join a key import and two certificate parses.
 */
let currentCA: RootCA | undefined;

/** Signs with the root that signs now (the new one during a rotation, the cross-signed root appended). */
async function sign(ctx: ManagerContext, csr: string, nodeId: string, role: Role) {
  // The X.509 half of pki (@peculiar/x509, ~0.1 s of CPU to load) is loaded by the first manager
  // that signs, not by every manager as it starts.
  const { issueNodeCertificate, loadRootCA } = await import('@swarmlab/pki');
  const cluster = clusterOf(ctx);
  const { certPem, keyPem, intermediatePem } = signingRoot(cluster);
  if (currentCA?.certPem !== certPem || currentCA.keyPem !== keyPem) currentCA = loadRootCA(certPem, keyPem);
  const ca = currentCA;
  try {
    return await issueNodeCertificate(ca, csr, { nodeId, role, clusterId: cluster.ID, expiryMs: certExpiryMs(ctx), now: ctx.clock.date(), intermediatePem });
  } catch (e) {
    throw grpcError('InvalidArgument', e instanceof Error ? e.message : String(e));
  }
}

export function newNodeObject(
  ctx: ManagerContext,
  nodeId: string,
  role: Role,
  availability: Availability,
  d: NodeDescriptionInput,
  tlsInfo: TLSInfo = clusterOf(ctx).TLSInfo,
): NodeObject {
  // A new node's certificate is issued by the root that signs now: the cluster's desired TLSInfo.
  const { TrustRoot, CertIssuerSubject, CertIssuerPublicKey } = tlsInfo;
  const now = ctx.clock.iso();
  return {
    ID: nodeId,
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: { Labels: {}, Role: role, Availability: availability },
    Description: {
      Hostname: d.hostname,
      Platform: { Architecture: d.arch ?? 'x86_64', OS: d.os ?? 'linux' },
      Resources: { NanoCPUs: d.nanoCPUs ?? 2_000_000_000, MemoryBytes: d.memoryBytes ?? 2 * 1024 ** 3 },
      Engine: { EngineVersion: ENGINE_VERSION, ...(d.engineLabels ? { Labels: d.engineLabels } : {}), Plugins: ENGINE_PLUGINS },
      TLSInfo: { TrustRoot, CertIssuerSubject, CertIssuerPublicKey },
    },
    Status: { State: 'unknown', Addr: d.addr },
    role,
  };
}

/** A joiner without a certificate: the token decides the role. */
export async function issueForJoiner(ctx: ManagerContext, req: IssueRequest): Promise<IssueResponse> {
  const cluster = clusterOf(ctx);
  if (typeof req?.token !== 'string' || typeof req.csr !== 'string') throw DAEMON.invalidJoinToken();
  let role: Role;
  if (joinTokensEqual(req.token, cluster.JoinTokens.Manager)) role = 'manager';
  else if (joinTokensEqual(req.token, cluster.JoinTokens.Worker)) role = 'worker';
  else throw DAEMON.invalidJoinToken();
  const availability = (req.availability || 'active') as Availability;
  if (!['active', 'pause', 'drain'].includes(availability)) throw grpcError('InvalidArgument', `invalid availability: ${availability}`);
  const nodeId = newIdentityId();
  const issued = await sign(ctx, req.csr, nodeId, role);
  const node = newNodeObject(ctx, nodeId, role, availability, req.description, await desiredTLSInfo(cluster));
  node.certExpiresAt = issued.notAfter.getTime();
  await commit(ctx, [{ action: 'create', table: 'node', object: node }]);
  return { nodeId, role, certPem: issued.certPem, rootCAPem: trustBundle(cluster) };
}

/** A node renewing with its current certificate: same ID, the role the cluster gives it now. */
export async function renewForNode(ctx: ManagerContext, nodeId: string, csr: string): Promise<IssueResponse> {
  const node = ctx.store.get<NodeObject>('node', nodeId);
  if (!node) throw grpcError('NotFound', `node ${nodeId} not found`);
  const cluster = clusterOf(ctx);
  const issued = await sign(ctx, csr, nodeId, node.role);
  // The node's certificate now comes from the signing root (what `docker swarm ca --rotate` waits for).
  const tlsInfo = await desiredTLSInfo(cluster);
  await commit(ctx, [{ action: 'patch', table: 'node', id: nodeId, set: { certExpiresAt: issued.notAfter.getTime(), 'Description.TLSInfo': tlsInfo } }]);
  return { nodeId, role: node.role, certPem: issued.certPem, rootCAPem: trustBundle(clusterOf(ctx)) };
}
