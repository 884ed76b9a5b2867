// @swarmlab/api: the Docker Engine API's swarm objects as TypeScript types, the daemon's defaults,
// checks and error texts, and a typed HTTP client.

export * from './types/index.js';
export * from './client.js';
export * from './defaults.js';
export * from './errors.js';
export * from './go-decode.js';
export * from './go-json.js';
export * from './go-strconv.js';
export * from './go-types.js';
export type { RequestOptions } from './http.js';
export * from './query.js';
export * from './read-json.js';
export * from './service-spec.js';
export * from './time.js';
export * from './validation.js';
