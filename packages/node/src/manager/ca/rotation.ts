// Root CA rotation (SwarmKit ca/reconciler.go and controlapi's root rotation): `docker swarm ca
// --rotate` makes a new root (or takes the one given with its key) and cross-signs it with the
// old one. From then on the CA signs with the new key, appending the cross-signed root to every
// certificate so that nodes still trusting only the old root accept it; every node trusts both
// roots and renews its certificate (the session tells it the new signing root). Once every node of
// the swarm holds a certificate from the new key, the new root becomes the only trusted one, and
// the join tokens, which name the root's digest, are made anew. A node that is down holds the
// rotation up until it comes back or is removed, as in SwarmKit. The leader's reconciler watches
// nodes and the cluster to end the rotation (a new leader picks an unfinished one up).

import { generateJoinToken } from '@swarmlab/pki/light';
import { grpcError } from '../../errors.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import type { ClusterObject, NodeObject } from '../objects.js';

export type TLSInfo = ClusterObject['TLSInfo'];

const pem = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

/** The roots nodes trust: the old and the new one during a rotation. */
export function trustBundle(cluster: ClusterObject): string {
  const rotation = cluster.secrets.rootRotation;
  return rotation ? `${pem(cluster.TLSInfo.TrustRoot)}${pem(rotation.caCertPem)}` : cluster.TLSInfo.TrustRoot;
}

/** The root whose key signs certificates now: the new one during a rotation. */
export function signingRoot(cluster: ClusterObject): { certPem: string; keyPem: string; intermediatePem?: string } {
  const rotation = cluster.secrets.rootRotation;
  if (rotation) return { certPem: rotation.caCertPem, keyPem: rotation.caKeyPem, intermediatePem: rotation.crossSignedPem };
  return { certPem: cluster.TLSInfo.TrustRoot, keyPem: cluster.secrets.rootCAKeyPem };
}

/** The TLSInfo the cluster wants every node to reach (the API's ClusterInfo.TLSInfo): the signing root's issuer. */
export async function desiredTLSInfo(cluster: ClusterObject): Promise<TLSInfo> {
  const rotation = cluster.secrets.rootRotation;
  if (!rotation) return cluster.TLSInfo;
  const { certIssuerInfo } = await import('@swarmlab/pki');
  const issuer = certIssuerInfo(rotation.caCertPem);
  return { TrustRoot: cluster.TLSInfo.TrustRoot, CertIssuerSubject: issuer.certIssuerSubject, CertIssuerPublicKey: issuer.certIssuerPublicKey };
}

export interface RotationRequest {
  /** A root to rotate to, with its key (`docker swarm ca --rotate --ca-cert --ca-key`). */
  signingCACert?: string;
  signingCAKey?: string;
}

/**
 * The cluster changes that start a rotation: a new root (made here unless one is given) and its
 * cross-signature by the current root. Rotating to a root without its key would need an external
 * CA, which is not emulated.
 */
export async function startRotation(ctx: ManagerContext, req: RotationRequest): Promise<Record<string, unknown>> {
  const { createRootCA, crossSignRootCA, loadRootCA } = await import('@swarmlab/pki');
  const cluster = clusterOf(ctx);
  if (req.signingCACert && !req.signingCAKey) {
    throw grpcError('InvalidArgument', 'rotating to a root CA certificate without its key needs an external CA, which swarmlab does not emulate: give --ca-key too');
  }
  let next: { certPem: string; keyPem: string };
  try {
    next = req.signingCACert && req.signingCAKey ? loadRootCA(req.signingCACert, req.signingCAKey) : await createRootCA({ now: ctx.clock.date() });
  } catch (e) {
    throw grpcError('InvalidArgument', `invalid root CA: ${e instanceof Error ? e.message : String(e)}`);
  }
  const current = loadRootCA(cluster.TLSInfo.TrustRoot, cluster.secrets.rootCAKeyPem);
  const rotation: NonNullable<ClusterObject['secrets']['rootRotation']> = { caCertPem: next.certPem, caKeyPem: next.keyPem, crossSignedPem: await crossSignRootCA(current, next) };
  return { RootRotationInProgress: true, 'secrets.rootRotation': rotation };
}

/**
 * Ends the rotation once every node carries a certificate from the new key: the new root is the
 * only one trusted, its key signs, the join tokens name it, and the nodes' trust roots follow.
 */
export async function finishRotationIfDone(ctx: ManagerContext): Promise<boolean> {
  const cluster = clusterOf(ctx);
  const rotation = cluster.secrets.rootRotation;
  if (!rotation) return false;
  const desired = await desiredTLSInfo(cluster);
  const nodes = ctx.store.list<NodeObject>('node');
  if (!nodes.every((n) => n.Description.TLSInfo.CertIssuerPublicKey === desired.CertIssuerPublicKey)) return false;
  const tlsInfo: TLSInfo = { ...desired, TrustRoot: rotation.caCertPem };
  try {
    await commit(ctx, [
      {
        action: 'patch',
        table: 'cluster',
        id: cluster.ID,
        expectVersion: cluster.Version.Index,
        set: {
          TLSInfo: tlsInfo,
          RootRotationInProgress: false,
          JoinTokens: { Worker: generateJoinToken(rotation.caCertPem), Manager: generateJoinToken(rotation.caCertPem) },
          'secrets.rootCAKeyPem': rotation.caKeyPem,
          'secrets.rootRotation': null,
        },
      },
      ...nodes.map((n) => ({ action: 'patch' as const, table: 'node' as const, id: n.ID, set: { 'Description.TLSInfo': tlsInfo } })),
    ]);
  } catch {
    // Another renewal finished it first (the cluster's version moved on).
    return false;
  }
  ctx.log('info', 'ca: root rotation completed');
  return true;
}

/** The leader's watch over a rotation under way (SwarmKit's ca reconciler): ends it once it can. */
export class RootRotationReconciler {
  private scheduled = false;
  private running = false;
  private readonly onChange = (ev: { table: string }) => {
    if (ev.table === 'node' || ev.table === 'cluster') this.kick();
  };

  constructor(private readonly ctx: ManagerContext) {}

  start(): void {
    this.running = true;
    this.ctx.store.on('change', this.onChange);
    this.kick();
  }

  stop(): void {
    this.running = false;
    this.ctx.store.off('change', this.onChange);
  }

  private kick(): void {
    if (!this.running || this.scheduled) return;
    const cluster = this.ctx.store.list<ClusterObject>('cluster')[0];
    if (!cluster?.secrets.rootRotation) return;
    this.scheduled = true;
    setImmediate(() => {
      void finishRotationIfDone(this.ctx)
        .catch((e) => this.ctx.log('warn', 'ca: could not end the root rotation, will retry', { err: String(e) }))
        .finally(() => (this.scheduled = false));
    });
  }
}
