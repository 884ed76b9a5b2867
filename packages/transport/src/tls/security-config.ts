import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { parseCertificateBundle, verifyChain, type CertificatePurpose } from './chain.js';
import { dnsNames, identityFromCertificate, MANAGER_SERVER_NAME, type PeerIdentity } from './identity.js';

export interface SecurityConfigOptions {
  /** This node's certificate chain (leaf first) and key. Absent for a node that has not joined yet. */
  certPem?: string;
  keyPem?: string;
  /** Trusted root certificates (PEM; each entry may be a bundle). Replaceable for root rotation. */
  roots?: string[];
  /** When set, peers must carry this cluster ID in O. */
  clusterId?: string;
  /** Node IDs refused on every link (removed nodes). */
  denyList?: Iterable<string>;
  /** The node's (emulated) clock; certificate validity is judged by it. */
  now?: () => Date;
}

/** Why a peer was refused, as a small closed set (for counters); `reason` has the full text. */
export type RefusalKind = 'untrusted' | 'expired' | 'not-a-node-certificate' | 'wrong-cluster' | 'removed-node' | 'not-a-manager';

export type PeerCheck = { ok: true; identity: PeerIdentity } | { ok: false; kind: RefusalKind; reason: string };

/**
 * Everything a node's TLS needs, in one replaceable place (SwarmKit's ca.SecurityConfig): its own
 * credentials, the trusted roots, the cluster ID and the deny-list. Changes apply to the next
 * handshake; open links keep the identity they were authenticated with.
 */
export class SecurityConfig {
  private certPem: string | undefined;
  private keyPem: string | undefined;
  private ownIdentity: PeerIdentity | null = null;
  private rootPems: string[] = [];
  private rootCerts: X509Certificate[] = [];
  private denied = new Set<string>();
  private context: tls.SecureContext | null = null;
  clusterId: string | undefined;
  readonly now: () => Date;

  constructor(options: SecurityConfigOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.clusterId = options.clusterId;
    if (options.certPem !== undefined || options.keyPem !== undefined) {
      this.setCredentials(options.certPem ?? '', options.keyPem ?? '');
    }
    this.setRoots(options.roots ?? []);
    this.setDenyList(options.denyList ?? []);
  }

  /** Installs this node's certificate chain and key (after joining or a renewal). */
  setCredentials(certPem: string, keyPem: string): void {
    const chain = parseCertificateBundle(certPem, 'node certificate');
    const identity = identityFromCertificate(chain[0]);
    if (typeof identity === 'string') throw new Error(`node certificate: ${identity}`);
    // Let OpenSSL check that the key matches the certificate now rather than at the first handshake.
    // (`ca: []`: no trust store is needed for that, and Node would otherwise load its public roots.)
    try {
      tls.createSecureContext({ cert: certPem, key: keyPem, ca: [] });
    } catch (error) {
      throw new Error(`node certificate and key do not form a usable TLS identity: ${(error as Error).message}`);
    }
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.ownIdentity = identity;
    this.context = null;
  }

  /** Replaces the trusted roots (root CA rotation). */
  setRoots(roots: string[]): void {
    this.rootCerts = roots.flatMap((pem, index) => parseCertificateBundle(pem, `trusted root ${index + 1}`));
    this.rootPems = [...roots];
    this.context = null;
  }

  /** Replaces the deny-list (Cluster.BlacklistedCertificates: node IDs of removed nodes). */
  setDenyList(nodeIds: Iterable<string>): void {
    this.denied = new Set(nodeIds);
  }

  /** This node's identity from its own certificate, or null before it has one. */
  get identity(): PeerIdentity | null {
    return this.ownIdentity;
  }

  get hasCredentials(): boolean {
    return this.certPem !== undefined;
  }

  get roots(): readonly string[] {
    return this.rootPems;
  }

  isDenied(nodeId: string): boolean {
    return this.denied.has(nodeId);
  }

  /** The OpenSSL context for both directions (TLS 1.2+, ECDHE with AES-GCM/ChaCha20 as SwarmKit). */
  secureContext(): tls.SecureContext {
    if (this.context === null) {
      this.context = tls.createSecureContext({
        minVersion: 'TLSv1.2',
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305',
        ...(this.certPem !== undefined ? { cert: this.certPem, key: this.keyPem } : {}),
        // No trust store at all: peers are verified by checkPeer against the swarm's roots (OpenSSL
        // decides nothing, see peer-chain.ts). Any `ca` entry, even the swarm's one root, makes Node
        // build its store of ~140 public web roots first: 30-50 ms of CPU and ~1.3 MB in every node.
        ca: [],
      });
    }
    return this.context;
  }

  /**
   * Authenticates a peer from the chain it presented: chains to a trusted root at the node's time,
   * is a swarm node certificate, belongs to this cluster, is not deny-listed, and (for a server) is a
   * manager certificate valid for the name `swarm-manager`.
   */
  checkPeer(chain: readonly X509Certificate[], purpose: CertificatePurpose): PeerCheck {
    const chainError = verifyChain(chain, this.rootCerts, this.now(), purpose);
    if (chainError) return { ok: false, kind: chainError.includes('expired') ? 'expired' : 'untrusted', reason: chainError };
    const identity = identityFromCertificate(chain[0]);
    if (typeof identity === 'string') return { ok: false, kind: 'not-a-node-certificate', reason: identity };
    if (this.clusterId !== undefined && identity.clusterId !== this.clusterId) {
      return { ok: false, kind: 'wrong-cluster', reason: `Permission denied: remote certificate not part of organization: ${this.clusterId}` };
    }
    if (this.denied.has(identity.nodeId)) {
      return { ok: false, kind: 'removed-node', reason: `Permission denied: node ${identity.nodeId} was removed from swarm` };
    }
    if (purpose === 'server') {
      const names = dnsNames(chain[0]);
      if (identity.role !== 'manager' || !names.includes(MANAGER_SERVER_NAME)) {
        return { ok: false, kind: 'not-a-manager', reason: `x509: certificate is valid for ${names.join(', ')}, not ${MANAGER_SERVER_NAME}` };
      }
    }
    return { ok: true, identity };
  }
}
