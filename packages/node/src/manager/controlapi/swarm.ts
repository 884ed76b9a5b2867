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

export function inspectSwarm(ctx: ManagerContext): Record<string, unknown> {
  return publicCluster(clusterOf(ctx)) as unknown as Record<string, unknown>;
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
  const newSpec: SwarmSpec = {
    Name: spec.Name || cur.Name,
    Labels: spec.Labels ?? {},
    Orchestration: { ...cur.Orchestration, ...spec.Orchestration },
    Raft: { ...cur.Raft, ...spec.Raft },
    Dispatcher: { ...cur.Dispatcher, ...spec.Dispatcher },
    CAConfig: { ...cur.CAConfig, ...spec.CAConfig },
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
  await commit(ctx, [
    { action: 'patch', table: 'cluster', id: cluster.ID, set: { Spec: newSpec, JoinTokens: tokens, 'secrets.unlockKey': unlockKey ?? null }, expectVersion: version },
  ]);
}

export function unlockKey(ctx: ManagerContext): { UnlockKey: string } {
  const key = clusterOf(ctx).secrets.unlockKey;
  return { UnlockKey: key ? formatUnlockKey(Buffer.from(key, 'base64')) : '' };
}
