import { PkiError } from './errors.js';

export type NodeRole = 'manager' | 'worker';

/** SwarmKit ca.ManagerRole / ca.WorkerRole / ca.CARole: the OU values and TLS server names. */
export const MANAGER_OU = 'swarm-manager';
export const WORKER_OU = 'swarm-worker';
export const CA_SERVER_NAME = 'swarm-ca';

export function roleToOU(role: NodeRole): string {
  if (role === 'manager') return MANAGER_OU;
  if (role === 'worker') return WORKER_OU;
  throw new PkiError(`invalid node role ${JSON.stringify(role)}: expected "manager" or "worker"`);
}

export function ouToRole(ou: string): NodeRole | undefined {
  if (ou === MANAGER_OU) return 'manager';
  if (ou === WORKER_OU) return 'worker';
  return undefined;
}
