export { checkLinearizability, DEFAULT_BUDGET, type LinearizabilityBudget } from './check.js';
export type { LinearizabilityEvidence, OperationSummary } from './evidence.js';
export { simulateRegisterHistory, type RegisterSimulation } from './simulate.js';
