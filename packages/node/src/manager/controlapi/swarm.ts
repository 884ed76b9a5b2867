// Control API for the cluster object: `GET /swarm`, `POST /swarm/update`, `GET /swarm/unlockkey`.

import {
  apiError,
  invalidExternalCAProtocol,
  MIN_CERT_EXPIRY,
  NEGATIVE_HEARTBEAT_PERIOD,
  validateSwarmSpecName,
} from '@swarmlab/api';
import { formatUnlockKey, generateJoinToken, generateKek, MIN_NODE_CERT_EXPIRY_MS } from '@swarmlab/pki/light';
import { ApiError, grpcError } from '../../errors.js';
import { clusterOf, commit, type ManagerContext } from '../context.js';
import { publicCluster, type SwarmSpec } from '../objects.js';
import { desiredTLSInfo, startRotation } from '../ca/rotation.js';

/** The cluster as the API shows it; during a root rotation TLSInfo names the issuer nodes must reach (moby's IssuerFromAPIRootCA). */
export async function inspectSwarm(ctx: ManagerContext): Promise<Record<string, unknown>> {
  const cluster = clusterOf(ctx);
  const shown = publicCluster(cluster);
  return (cluster.secrets.rootRotation ? { ...shown, TLSInfo: await desiredTLSInfo(cluster) } : shown) as unknown as Record<string, unknown>;
}

export interface SwarmUpdateFlags {
  rotateWorkerToken: boolean;
  rotateManagerToken: boolean;
  rotateManagerUnlockKey: boolean;
}

const NS_PER_MS = 1_000_000;

/** External CA protocols SwarmKit knows (ExternalCA_CAProtocol). */
const CA_PROTOCOLS = ['cfssl'];

/**
 * The daemon's checks (moby daemon/cluster/swarm.go Update: the name, then the conversion's
 * external CA protocol), then SwarmKit's validateClusterSpec.
 */
export function validateSwarmSpec(spec: Partial<SwarmSpec>): void {
  validateSwarmSpecName({ Name: spec.Name });
  for (const ca of (spec.CAConfig?.ExternalCAs ?? []) as ({ Protocol?: string } | null)[]) {
    const protocol = ca?.Protocol ?? '';
    if (!CA_PROTOCOLS.includes(protocol.toLowerCase())) throw apiError(invalidExternalCAProtocol(protocol));
  }
  const expiry = spec.CAConfig?.NodeCertExpiry;
  if (expiry !== undefined && expiry !== 0 && expiry / NS_PER_MS < MIN_NODE_CERT_EXPIRY_MS) throw apiError(MIN_CERT_EXPIRY);
  const hb = spec.Dispatcher?.HeartbeatPeriod;
  if (hb !== undefined && hb < 0) throw apiError(NEGATIVE_HEARTBEAT_PERIOD);
  const retention = spec.Orchestration?.TaskHistoryRetentionLimit;
  if (retention !== undefined && retention < 0) throw grpcError('InvalidArgument', 'task history retention limit must be non-negative');
}

export async function updateSwarm(
  ctx: ManagerContext,
  version: number,
  spec: Partial<SwarmSpec>,
  flags: SwarmUpdateFlags,
): Promise<void> {
  if (!spec || typeof spec !== 'object') throw new ApiError(400, 'invalid swarm spec');
  validateSwarmSpec(spec);
  const cluster = clusterOf(ctx);
  const cur = cluster.Spec;
  // The signing root and its key start a rotation; they are never kept in the spec (moby redacts them).
  const { SigningCACert: signingCACert, SigningCAKey: signingCAKey, ...caConfig } = spec.CAConfig ?? {};
  const newSpec: SwarmSpec = {
    Name: spec.Name || cur.Name,
    Labels: spec.Labels ?? {},
    Orchestration: { ...cur.Orchestration, ...spec.Orchestration },
    Raft: { ...cur.Raft, ...spec.Raft },
    Dispatcher: { ...cur.Dispatcher, ...spec.Dispatcher },
    CAConfig: { ...cur.CAConfig, ...caConfig },
    TaskDefaults: spec.TaskDefaults ?? cur.TaskDefaults,
    EncryptionConfig: { AutoLockManagers: spec.EncryptionConfig?.AutoLockManagers ?? false },
  };
  const trustRoot = cluster.TLSInfo.TrustRoot;
  const tokens = { ...cluster.JoinTokens };
  if (flags.rotateWorkerToken) tokens.Worker = generateJoinToken(trustRoot);
  if (flags.rotateManagerToken) tokens.Manager = generateJoinToken(trustRoot);
  let unlockKey = cluster.secrets.unlockKey;
  if (!newSpec.EncryptionConfig.AutoLockManagers) unlockKey = undefined;
  else if (!unlockKey || flags.rotateManagerUnlockKey) unlockKey = generateKek().toString('base64');
  // `docker swarm ca --rotate` raises ForceRotate; `--ca-cert` names the root to rotate to.
  const forced = (newSpec.CAConfig.ForceRotate ?? 0) !== (cur.CAConfig.ForceRotate ?? 0);
  const otherRoot = signingCACert !== undefined && signingCACert.trim() !== '' && signingCACert.trim() !== trustRoot.trim();
  const rotation = forced || otherRoot ? await startRotation(ctx, { signingCACert: otherRoot ? signingCACert : undefined, signingCAKey }) : {};
  await commit(ctx, [
    {
      action: 'patch',
      table: 'cluster',
      id: cluster.ID,
      set: { Spec: newSpec, JoinTokens: tokens, 'secrets.unlockKey': unlockKey ?? null, ...rotation },
      expectVersion: version,
    },
  ]);
}

export function unlockKey(ctx: ManagerContext): { UnlockKey: string } {
  const key = clusterOf(ctx).secrets.unlockKey;
  return { UnlockKey: key ? formatUnlockKey(Buffer.from(key, 'base64')) : '' };
}
