import { createNodeKeyAndCSR, createRootCA, issueNodeCertificate, newIdentityId, type RootCA } from '@swarmlab/pki';
import type { Logger } from '../src/logger.js';

export interface NodeCredentials {
  nodeId: string;
  certPem: string;
  keyPem: string;
}

export interface TestCluster {
  ca: RootCA;
  clusterId: string;
  issue(role: 'manager' | 'worker', options?: { nodeId?: string; now?: Date; expiryMs?: number; clusterId?: string }): Promise<NodeCredentials>;
}

/** A root CA and a cluster ID, with a helper to issue node certificates through @swarmlab/pki. */
export async function createTestCluster(): Promise<TestCluster> {
  const ca = await createRootCA();
  const clusterId = newIdentityId();
  return {
    ca,
    clusterId,
    async issue(role, options = {}) {
      const nodeId = options.nodeId ?? newIdentityId();
      const { keyPem, csrPem } = await createNodeKeyAndCSR();
      const { certPem } = await issueNodeCertificate(ca, csrPem, {
        nodeId,
        role,
        clusterId: options.clusterId ?? clusterId,
        now: options.now,
        expiryMs: options.expiryMs,
      });
      return { nodeId, certPem, keyPem };
    },
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message?: string;
}

/** A logger that keeps what it is told, so tests can check that a refusal was logged with its reason. */
export function recordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: LogRecord['level']) => (fields: object, message?: string) => {
    records.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls `condition` every few ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A deterministic random source (mulberry32), for jitter and back-off in tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
