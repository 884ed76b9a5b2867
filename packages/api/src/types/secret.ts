// Secrets and configs (moby api/types/swarm/secret.go, config.go; reference/real-swarm/
// api-secrets.json, api-configs.json). `Data` is base64 (Go []byte).

import type { Driver, Labels, Meta } from './common.js';

export interface SecretSpec {
  Name: string;
  Labels: Labels;
  /** Accepted on create; never returned by GET. */
  Data?: string;
  Driver?: Driver;
  Templating?: Driver;
}

export interface Secret extends Meta {
  ID: string;
  Spec: SecretSpec;
}

export interface ConfigSpec {
  Name: string;
  Labels: Labels;
  /** Configs, unlike secrets, return their data. */
  Data: string;
  Templating?: Driver;
}

export interface Config extends Meta {
  ID: string;
  Spec: ConfigSpec;
}

/** Create bodies as clients send them (`Labels` may be left out or null). */
export type SecretCreateRequest = Omit<SecretSpec, 'Labels'> & { Labels?: Labels | null };
export type ConfigCreateRequest = Omit<ConfigSpec, 'Labels'> & { Labels?: Labels | null };
