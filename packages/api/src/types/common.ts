// Building blocks shared by the swarm objects, shaped as moby's api/types/swarm Go structs encode
// to JSON (PascalCase names, Go's omitempty rules).
//
// How optionality is decided across src/types:
// * A field Go marks `omitempty` is optional here when a real daemon can leave it out (an empty
//   string, a zero number, a nil pointer or slice); Go never omits struct-valued fields, so those
//   are required.
// * A field that a daemon always fills for a stored object (IDs, Version.Index, names, hostnames)
//   is required even where Go says omitempty, so servers cannot forget it.
// * Fields whose absence crashes the docker CLI (README §5, FIELD-TRIALS.md) are always required:
//   TaskSpec.ContainerSpec, Task.Spec, Replicated.Replicas, ReplicatedJob.TotalCompletions.

import type { PortProtocol, PublishMode } from './enums.js';

/** A duration in nanoseconds (Go's time.Duration as JSON). */
export type Nanoseconds = number;

/** An RFC 3339 timestamp with up to nine fraction digits, as Go prints time.Time ("…T09:46:26.32281373Z"). */
export type Timestamp = string;

export type Labels = Record<string, string>;

/** `Version` inside every stored object: the Raft index of its last change. */
export interface ObjectVersion {
  Index: number;
}

/** moby `swarm.Meta`: embedded in every stored object. */
export interface Meta {
  Version: ObjectVersion;
  CreatedAt: Timestamp;
  UpdatedAt: Timestamp;
}

/** moby `swarm.Driver`: log driver, secret driver, templating driver, network driver. */
export interface Driver {
  Name?: string;
  Options?: Record<string, string>;
}

export interface Platform {
  Architecture?: string;
  OS?: string;
}

export interface NamedGenericResource {
  Kind?: string;
  Value?: string;
}

export interface DiscreteGenericResource {
  Kind?: string;
  Value?: number;
}

/** Exactly one of the two specs is set. */
export interface GenericResource {
  NamedResourceSpec?: NamedGenericResource;
  DiscreteResourceSpec?: DiscreteGenericResource;
}

/** moby `swarm.Resources`: what a node offers or a task reserves. */
export interface Resources {
  NanoCPUs?: number;
  MemoryBytes?: number;
  GenericResources?: GenericResource[];
}

/** moby `swarm.Limit`: a task's resource ceiling. */
export interface Limit {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
}

/**
 * Certificate facts of a node or of the swarm. `CertIssuerSubject` and `CertIssuerPublicKey` are
 * Go []byte, so base64 on the wire; the CLI fails with "illegal base64 data" otherwise.
 */
export interface TLSInfo {
  TrustRoot: string;
  CertIssuerSubject: string;
  CertIssuerPublicKey: string;
}

/** A published port (moby `swarm.PortConfig`). */
export interface PortConfig {
  Name?: string;
  Protocol?: PortProtocol;
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: PublishMode;
}

/** Every error the daemon sends: status ≥ 400 with this body. */
export interface ErrorResponse {
  message: string;
}

/** `POST /secrets/create`, `/configs/create`: 201 with the new ID. */
export interface IdResponse {
  ID: string;
}
