import { readFileSync } from 'node:fs';

interface RealSwarm {
  singleNode: {
    trustRoot: string;
    certIssuerSubject: string;
    certIssuerPublicKey: string;
    workerToken: string;
    managerToken: string;
  };
  multiNode: { trustRoot: string; workerToken: string };
  unlockKey: string;
}

/** Values captured from a real Docker swarm (see fixtures/real-swarm.json `_source`). */
export const realSwarm: RealSwarm = JSON.parse(readFileSync(new URL('./fixtures/real-swarm.json', import.meta.url), 'utf8'));
