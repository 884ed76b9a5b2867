export { Lab, resolveAlias, nodeAddress, type LabOptions, type NodeView, type LabEvent } from './lab.js';
export { NodeProcess, type NodeSpec, type Role } from './node-process.js';
export { nodeBundle, NODE_BUNDLE } from './bundle.js';
export { ControlServer } from './control-server.js';
export * from './faults.js';
export { swarmlabHome, clusterDir, listClusters, type ClusterRecord } from './paths.js';
