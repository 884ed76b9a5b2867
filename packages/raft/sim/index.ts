// The deterministic simulator of @swarmlab/raft: one seed drives a whole cluster of Raft cores
// over a simulated network and clock, with faults, and checks Raft's safety and liveness.

export { runSimulation, type SimOptions, type SimResult, type SimStats } from './simulation.js';
export { drawParams, TICK, type SimParams, type SimProfile, type RaftParams, type NetworkParams, type FaultParams, type WorkloadParams } from './params.js';
export { SimViolation, type CoreFactory } from './sim-node.js';
export { runSeedRange, parseSeedRange, type RangeReport, type SeedFailure } from './seed-range.js';
export { brokenCores, type BrokenCoreName } from './broken-cores.js';
export { runSeedRangeParallel, type ParallelOptions } from './parallel.js';
export { measureThroughput, BenchCluster, type BenchResult } from './bench-cluster.js';
