// A typed client for the Engine API, speaking to one daemon the way the docker CLI does: paths
// carry `/v<apiVersion>` (except /_ping), filters go in the CLI's map form, and query flags use
// the Go client's spelling (`force=1`, `insertDefaults=false`, `rotate…=true|false`).
// Failures are DockerApiError (the daemon answered ≥ 400) or DockerConnectionError (no answer).

import { Agent } from 'node:http';
import { readBody, readJsonLines, send, type HttpResponse, type RequestOptions, type Target } from './http.js';
import { encodeFilters, type Filters } from './query.js';
import type { IdResponse } from './types/common.js';
import type { EventMessage } from './types/events.js';
import type { Network, NetworkCreateRequest, NetworkCreateResponse } from './types/network.js';
import type { Node, NodeSpec } from './types/node.js';
import type { Config, ConfigCreateRequest, Secret, SecretCreateRequest } from './types/secret.js';
import type {
  Service,
  ServiceCreateResponse,
  ServiceSpec,
  ServiceSpecInput,
  ServiceUpdateResponse,
} from './types/service.js';
import type {
  Swarm,
  SwarmInitRequest,
  SwarmJoinRequest,
  SwarmSpec,
  SwarmSpecInput,
  SwarmUpdateFlags,
  UnlockKeyResponse,
} from './types/swarm.js';
import type { Info, SystemVersion } from './types/system.js';
import type { Task } from './types/task.js';

export interface DockerClientOptions {
  /** Daemon address, e.g. '127.0.1.2'. */
  host: string;
  /** Default 2375. */
  port?: number;
  /** Path prefix version, default '1.47'; '' sends unversioned paths as dockerode does. */
  apiVersion?: string;
  /** Per-request timeout in ms, default 30 000; 0 disables it. */
  timeoutMs?: number;
  /** Sent as User-Agent. */
  userAgent?: string;
  /**
   * Reuse connections between requests (call close() when done). Off by default: with a fresh
   * connection per request, a refused connection proves the daemon never saw the call, while a
   * pooled socket left over from a killed or restarted node would fail a request nobody received.
   */
  keepAlive?: boolean;
}

/** What `/_ping` tells about the daemon (its headers). */
export interface PingResult {
  /** `Api-Version`; the CLI falls back to 1.24 without it. */
  apiVersion: string | undefined;
  /** `Swarm`: `inactive`, `pending`, `error`, `locked`, `active/worker`, `active/manager`. */
  swarm: string | undefined;
  osType: string | undefined;
  experimental: boolean;
  builderVersion: string | undefined;
}

/** Per-call overrides: a timeout (ms, 0 = none) and an abort signal. */
export type CallOptions = Pick<RequestOptions, 'timeoutMs' | 'signal'>;

export interface ServiceListOptions {
  filters?: Filters;
  /** Adds ServiceStatus to each service. */
  status?: boolean;
}

export interface ServiceUpdateOptions {
  /** `spec` or `previous-spec`; the CLI sends `spec` for `service update`. */
  registryAuthFrom?: 'spec' | 'previous-spec';
  /** `previous` rolls back to PreviousSpec (the body is then ignored). */
  rollback?: 'previous';
  /** Base64 JSON auth config, sent as X-Registry-Auth. */
  registryAuth?: string;
}

export interface EventsOptions {
  /** Unix seconds, or `secs.nanos`. */
  since?: string | number;
  until?: string | number;
  filters?: Filters;
  /** Abort to stop a stream without `until`. */
  signal?: AbortSignal;
}

const DEFAULT_PORT = 2375;
const DEFAULT_API_VERSION = '1.47';
const DEFAULT_TIMEOUT_MS = 30_000;

const ref = (value: string): string => encodeURIComponent(value);

export class DockerClient {
  /** `http://host:port`, for messages. */
  readonly baseUrl: string;
  readonly apiVersion: string;
  private readonly target: Target;
  private readonly timeoutMs: number;
  private readonly userAgent: string;

  constructor(options: DockerClientOptions) {
    const port = options.port ?? DEFAULT_PORT;
    const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
    this.baseUrl = `http://${urlHost}:${port}`;
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? 'swarmlab-api';
    this.target = { host: options.host, port, agent: options.keepAlive ? new Agent({ keepAlive: true }) : false };
  }

  /** Closes pooled connections (keepAlive clients); a client without keep-alive holds none. */
  close(): void {
    if (this.target.agent) this.target.agent.destroy();
  }

  /** The path as sent: `/v1.47/nodes`; `/_ping` and every path when apiVersion is '' stay unversioned. */
  versionedPath(path: string): string {
    return this.apiVersion === '' || path === '/_ping' ? path : `/v${this.apiVersion}${path}`;
  }

  private exchange(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const headers = { 'User-Agent': this.userAgent, ...options.headers };
    return send(this.target, { method, path: this.versionedPath(path) }, { ...options, headers }, this.timeoutMs);
  }

  /** Any endpoint: returns the parsed JSON answer, the text of a non-JSON one, or undefined. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.exchange(method, path, options);
    return (await readBody(response, { method, path: this.versionedPath(path) })) as T;
  }

  // ---- system ---------------------------------------------------------------------------------

  async ping(call: CallOptions = {}): Promise<PingResult> {
    const response = await this.exchange('GET', '/_ping', call);
    await response.text();
    const header = (name: string): string | undefined => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return {
      apiVersion: header('api-version'),
      swarm: header('swarm'),
      osType: header('ostype'),
      experimental: header('docker-experimental') === 'true',
      builderVersion: header('builder-version'),
    };
  }

  version(call: CallOptions = {}): Promise<SystemVersion> {
    return this.request('GET', '/version', call);
  }

  info(call: CallOptions = {}): Promise<Info> {
    return this.request('GET', '/info', call);
  }

  /** Streams events until `until` passes or `signal` aborts; no timeout applies. */
  async *events(options: EventsOptions = {}): AsyncGenerator<EventMessage> {
    const query = {
      filters: encodeFilters(options.filters),
      since: options.since === undefined ? undefined : String(options.since),
      until: options.until === undefined ? undefined : String(options.until),
    };
    const response = await this.exchange('GET', '/events', { query, timeoutMs: 0, signal: options.signal });
    yield* readJsonLines<EventMessage>(response, options.signal);
  }

  // ---- swarm ----------------------------------------------------------------------------------

  /** Returns the new node's ID. */
  swarmInit(request: SwarmInitRequest, call: CallOptions = {}): Promise<string> {
    return this.request('POST', '/swarm/init', { ...call, body: request });
  }

  async swarmJoin(request: SwarmJoinRequest, call: CallOptions = {}): Promise<void> {
    await this.request('POST', '/swarm/join', { ...call, body: request });
  }

  async swarmLeave(force = false, call: CallOptions = {}): Promise<void> {
    await this.request('POST', '/swarm/leave', { ...call, query: { force: force ? '1' : undefined } });
  }

  swarmInspect(call: CallOptions = {}): Promise<Swarm> {
    return this.request('GET', '/swarm', call);
  }

  /** `version` is the swarm's Version.Index from the last inspect. */
  async swarmUpdate(
    spec: SwarmSpec | SwarmSpecInput,
    flags: SwarmUpdateFlags & { version: number },
    call: CallOptions = {},
  ): Promise<void> {
    await this.request('POST', '/swarm/update', {
      ...call,
      body: spec,
      query: {
        rotateManagerToken: flags.rotateManagerToken === true,
        rotateManagerUnlockKey: flags.rotateManagerUnlockKey === true,
        rotateWorkerToken: flags.rotateWorkerToken === true,
        version: flags.version,
      },
    });
  }

  swarmUnlockKey(call: CallOptions = {}): Promise<UnlockKeyResponse> {
    return this.request('GET', '/swarm/unlockkey', call);
  }

  async swarmUnlock(unlockKey: string, call: CallOptions = {}): Promise<void> {
    await this.request('POST', '/swarm/unlock', { ...call, body: { UnlockKey: unlockKey } });
  }

  // ---- nodes ----------------------------------------------------------------------------------

  nodeList(filters?: Filters, call: CallOptions = {}): Promise<Node[]> {
    return this.request('GET', '/nodes', { ...call, query: { filters: encodeFilters(filters) } });
  }

  /** By ID, hostname or unique ID prefix. */
  nodeInspect(nodeRef: string, call: CallOptions = {}): Promise<Node> {
    return this.request('GET', `/nodes/${ref(nodeRef)}`, call);
  }

  async nodeUpdate(id: string, version: number, spec: NodeSpec, call: CallOptions = {}): Promise<void> {
    await this.request('POST', `/nodes/${ref(id)}/update`, { ...call, query: { version }, body: spec });
  }

  async nodeRemove(nodeRef: string, force = false, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/nodes/${ref(nodeRef)}`, { ...call, query: { force: force ? '1' : undefined } });
  }

  // ---- services and tasks ---------------------------------------------------------------------

  serviceCreate(
    spec: ServiceSpecInput,
    options: { registryAuth?: string } = {},
    call: CallOptions = {},
  ): Promise<ServiceCreateResponse> {
    const headers = options.registryAuth ? { 'X-Registry-Auth': options.registryAuth } : undefined;
    return this.request('POST', '/services/create', { ...call, body: spec, headers });
  }

  serviceList(options: ServiceListOptions = {}, call: CallOptions = {}): Promise<Service[]> {
    return this.request('GET', '/services', {
      ...call,
      query: { filters: encodeFilters(options.filters), status: options.status ? 'true' : undefined },
    });
  }

  serviceInspect(serviceRef: string, options: { insertDefaults?: boolean } = {}, call: CallOptions = {}): Promise<Service> {
    return this.request('GET', `/services/${ref(serviceRef)}`, {
      ...call,
      query: { insertDefaults: options.insertDefaults === true },
    });
  }

  serviceUpdate(
    id: string,
    version: number,
    spec: ServiceSpec | ServiceSpecInput,
    options: ServiceUpdateOptions = {},
    call: CallOptions = {},
  ): Promise<ServiceUpdateResponse> {
    const headers = options.registryAuth ? { 'X-Registry-Auth': options.registryAuth } : undefined;
    return this.request('POST', `/services/${ref(id)}/update`, {
      ...call,
      body: spec,
      headers,
      query: { registryAuthFrom: options.registryAuthFrom, rollback: options.rollback, version },
    });
  }

  async serviceRemove(serviceRef: string, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/services/${ref(serviceRef)}`, call);
  }

  taskList(filters?: Filters, call: CallOptions = {}): Promise<Task[]> {
    return this.request('GET', '/tasks', { ...call, query: { filters: encodeFilters(filters) } });
  }

  taskInspect(id: string, call: CallOptions = {}): Promise<Task> {
    return this.request('GET', `/tasks/${ref(id)}`, call);
  }

  // ---- secrets and configs --------------------------------------------------------------------

  secretCreate(spec: SecretCreateRequest, call: CallOptions = {}): Promise<IdResponse> {
    return this.request('POST', '/secrets/create', { ...call, body: spec });
  }

  secretList(filters?: Filters, call: CallOptions = {}): Promise<Secret[]> {
    return this.request('GET', '/secrets', { ...call, query: { filters: encodeFilters(filters) } });
  }

  secretInspect(secretRef: string, call: CallOptions = {}): Promise<Secret> {
    return this.request('GET', `/secrets/${ref(secretRef)}`, call);
  }

  /** Only Labels may change. */
  async secretUpdate(id: string, version: number, spec: SecretCreateRequest, call: CallOptions = {}): Promise<void> {
    await this.request('POST', `/secrets/${ref(id)}/update`, { ...call, query: { version }, body: spec });
  }

  async secretRemove(secretRef: string, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/secrets/${ref(secretRef)}`, call);
  }

  configCreate(spec: ConfigCreateRequest, call: CallOptions = {}): Promise<IdResponse> {
    return this.request('POST', '/configs/create', { ...call, body: spec });
  }

  configList(filters?: Filters, call: CallOptions = {}): Promise<Config[]> {
    return this.request('GET', '/configs', { ...call, query: { filters: encodeFilters(filters) } });
  }

  configInspect(configRef: string, call: CallOptions = {}): Promise<Config> {
    return this.request('GET', `/configs/${ref(configRef)}`, call);
  }

  /** Only Labels may change. */
  async configUpdate(id: string, version: number, spec: ConfigCreateRequest, call: CallOptions = {}): Promise<void> {
    await this.request('POST', `/configs/${ref(id)}/update`, { ...call, query: { version }, body: spec });
  }

  async configRemove(configRef: string, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/configs/${ref(configRef)}`, call);
  }

  // ---- networks -------------------------------------------------------------------------------

  networkCreate(request: NetworkCreateRequest, call: CallOptions = {}): Promise<NetworkCreateResponse> {
    return this.request('POST', '/networks/create', { ...call, body: request });
  }

  networkList(filters?: Filters, call: CallOptions = {}): Promise<Network[]> {
    return this.request('GET', '/networks', { ...call, query: { filters: encodeFilters(filters) } });
  }

  networkInspect(
    networkRef: string,
    options: { scope?: 'swarm' | 'local' | 'global'; verbose?: boolean } = {},
    call: CallOptions = {},
  ): Promise<Network> {
    return this.request('GET', `/networks/${ref(networkRef)}`, {
      ...call,
      query: { scope: options.scope, verbose: options.verbose ? 'true' : undefined },
    });
  }

  async networkRemove(networkRef: string, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/networks/${ref(networkRef)}`, call);
  }
}
