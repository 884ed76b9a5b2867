// @swarmlab/compat: one scripted docker CLI scenario run side by side against a real Docker swarm
// and a swarmlab node, normalized and compared.

export * from './allowances.js';
export * from './compare.js';
export * from './docker-cli.js';
export * from './engine-http.js';
export * from './normalize.js';
export * from './real-swarm.js';
export * from './runner.js';
export * from './scenario.js';
export * from './settle.js';
export * from './steps.js';
export * from './table.js';
export * from './targets.js';
