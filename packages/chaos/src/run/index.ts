export { runChaos, playSchedule, replayChaos, checkRun, type ChaosRun, type ChaosRunOptions } from './runner.js';
export { runChecks, overall } from './checks.js';
export { expectedServices, type ExpectedService } from './services.js';
export type { ClusterSnapshot } from './observe.js';
