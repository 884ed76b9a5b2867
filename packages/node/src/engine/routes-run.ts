// docker run on a swarm node, outside any service: POST /containers/create, /containers/{id}/start,
// /restart, /wait, /attach, /resize and /containers/prune (attaching is attach.ts's). The CLI's
// sequence: create (on "No such image" it pulls and creates again), attach unless -d, wait, start;
// with --rm it waits for the removal. The container lives on the default bridge (its own address), on no network, or
// on an attachable swarm network (an address there from the leader: resourceapi.ts); named volumes
// and tmpfs mounts are made, bind mounts are not (the node's host filesystem is not emulated).
// Error texts are dockerd's.

import type { MountConfig } from '../agent/exec/index.js';
import type { StandaloneSpec } from '../agent/standalone.js';
import type { Daemon } from '../daemon/daemon.js';
import { ApiError } from '../errors.js';
import { GO_CONTAINER_CREATE } from '@swarmlab/api';
import { attachWithoutUpgrade, type PendingAttachments } from './attach.js';
import { generateContainerName } from './container-names.js';
import { jsonBody, sendJson, type Handler } from './http.js';
import type { RunRoute } from './run-loader.js';
import { findContainer, noContent, stopTimeoutMs } from './routes-containers.js';
import { findImage, namesOf } from './routes-images.js';

interface MountBody {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> } | null;
}

/** The fields of moby's container.CreateRequest read here. */
interface CreateBody {
  Image?: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  Hostname?: string;
  User?: string;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  HostConfig?: {
    Binds?: string[] | null;
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    AutoRemove?: boolean;
    ReadonlyRootfs?: boolean;
    Mounts?: MountBody[] | null;
  } | null;
}

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const BIND_NOT_EMULATED = (source: string) =>
  `bind mounts are not emulated (${source}): a swarmlab node has no host filesystem of its own to share; use a named volume (-v NAME:/path) or --tmpfs`;

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** -v [SOURCE:]TARGET[:ro|rw]: a name is a volume, an absolute path a bind; none, an anonymous volume. */
function bindToMount(bind: string): MountConfig {
  const parts = bind.split(':');
  const invalid = () => new ApiError(400, `invalid volume specification: '${bind}'`);
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalid();
  if (parts.length === 1) return { type: 'volume', target: absoluteTarget(parts[0]!, 'volume') };
  const [source, target, mode = 'rw'] = parts as [string, string, string?];
  if (source.startsWith('/')) throw new ApiError(400, BIND_NOT_EMULATED(source));
  if (!VOLUME_NAME.test(source) || !mode.split(',').every((m) => ['ro', 'rw', 'z', 'Z', 'nocopy'].includes(m))) throw invalid();
  return { type: 'volume', source, target: absoluteTarget(target, 'volume'), readOnly: mode.split(',').includes('ro'), noCopy: mode.split(',').includes('nocopy') };
}

function absoluteTarget(target: string, type: string): string {
  if (!target.startsWith('/')) throw new ApiError(400, `invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  return target;
}

function mountOf(m: MountBody): MountConfig {
  if (m.Type === 'bind') throw new ApiError(400, BIND_NOT_EMULATED(m.Source ?? ''));
  if (m.Type !== 'volume' && m.Type !== 'tmpfs') throw new ApiError(400, `invalid mount config: mount type unknown: ${JSON.stringify(m.Type ?? '')}`);
  if (!m.Target) throw new ApiError(400, `invalid mount config for type "${m.Type}": field Target must not be empty`);
  if (m.Type === 'volume' && m.Source && !VOLUME_NAME.test(m.Source)) throw new ApiError(400, `invalid mount config for type "volume": invalid volume name: '${m.Source}'`);
  return { type: m.Type, source: m.Source || undefined, target: absoluteTarget(m.Target, m.Type), readOnly: m.ReadOnly, labels: m.VolumeOptions?.Labels, noCopy: m.VolumeOptions?.NoCopy };
}

/** --network: the default bridge, none, or an attachable swarm network (checked by the leader). */
function networkOf(mode: string | undefined): StandaloneSpec['network'] {
  if (!mode || mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'none') return 'none';
  if (mode === 'host' || mode.startsWith('container:')) throw new ApiError(400, `--network ${mode} is not emulated: a container here has an address of its own`);
  return { swarm: mode };
}

/** -p: "80/tcp" → [{HostPort: "8080"}]; the TCP ones (the node's docker-proxy forwards TCP only). */
function portsOf(bindings: NonNullable<CreateBody['HostConfig']>['PortBindings']): StandaloneSpec['ports'] {
  const ports: StandaloneSpec['ports'] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    const targetPort = Number(port);
    if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) throw new ApiError(400, `invalid port specification: "${key}"`);
    if (proto !== 'tcp') throw new ApiError(400, `publishing ${proto} ports is not emulated (${key}): only TCP is forwarded`);
    for (const b of list ?? [{}]) {
      const published = b.HostPort ? Number(b.HostPort) : 0;
      if (!Number.isInteger(published) || published < 0 || published > 65535) throw new ApiError(400, `invalid port specification: "${b.HostPort}"`);
      ports.push({ targetPort, publishedPort: published });
    }
  }
  return ports;
}

const RESTART_POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;

/** --restart, checked as dockerd checks it (the CLI refuses --rm with a policy itself). */
function restartOf(policy: NonNullable<CreateBody['HostConfig']>['RestartPolicy'], autoRemove: boolean): StandaloneSpec['restart'] {
  const name = policy?.Name || 'no';
  const maxRetries = policy?.MaximumRetryCount ?? 0;
  if (!(RESTART_POLICIES as readonly string[]).includes(name)) {
    throw new ApiError(400, `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (maxRetries < 0) throw new ApiError(400, 'invalid restart policy: maximum retry count cannot be negative');
  if (maxRetries > 0 && name !== 'on-failure') throw new ApiError(400, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  if (autoRemove && name !== 'no') throw new ApiError(400, "can't create 'AutoRemove' container with restart policy");
  return { name: name as StandaloneSpec['restart']['name'], maxRetries };
}

/** The handlers of docker run's routes, by route (run-loader.ts registers them and loads this on first use). */
export function runHandlers(daemon: Daemon, pending: PendingAttachments): Record<RunRoute, Handler> {
  const standalone = () => {
    const s = daemon.standalone;
    if (!s) throw new ApiError(400, 'containers are emulated on swarm nodes only, and this node is not in a swarm');
    return s;
  };
  const nameTaken = (name: string) => daemon.containers().find((c) => c.config.taskName === name);
  /** Names of containers being created: a second create of the same name meanwhile is refused, as dockerd reserves names. */
  const reserved = new Set<string>();

  return {
    'POST /containers/create': async (req, res) => {
      const containers = standalone();
      const body = await jsonBody<CreateBody>(req, GO_CONTAINER_CREATE);
      const requested = req.query.get('name') ?? '';
      if (requested !== '' && !VALID_NAME.test(requested)) throw new ApiError(400, `Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const name = requested.replace(/^\//, '') || generateContainerName((n) => reserved.has(n) || nameTaken(n) !== undefined);
      const holder = nameTaken(name);
      if (holder) throw new ApiError(409, `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      if (reserved.has(name)) throw new ApiError(409, `Conflict. The container name "/${name}" is already in use by a container being created. You have to remove (or rename) that container to be able to reuse that name.`);
      if (!body.Image) throw new ApiError(400, 'No image specified');
      if (body.WorkingDir && !body.WorkingDir.startsWith('/')) throw new ApiError(400, `the working directory '${body.WorkingDir}' is invalid, it needs to be an absolute path`);
      let image: string;
      try {
        image = findImage(daemon, body.Image).reference;
      } catch (e) {
        if (e instanceof ApiError && e.statusCode === 404) throw new ApiError(404, `No such image: ${namesOf(body.Image).tag ?? body.Image}`);
        throw e;
      }
      const host = body.HostConfig ?? {};
      const spec: StandaloneSpec = {
        name,
        image,
        entrypoint: body.Entrypoint ?? undefined,
        cmd: body.Cmd ?? undefined,
        env: body.Env ?? undefined,
        hostname: body.Hostname || undefined,
        user: body.User || undefined,
        dir: body.WorkingDir || undefined,
        labels: body.Labels ?? undefined,
        tty: body.Tty === true,
        openStdin: body.OpenStdin === true,
        autoRemove: host.AutoRemove === true,
        network: networkOf(host.NetworkMode),
        mounts: [...(host.Binds ?? []).map(bindToMount), ...(host.Mounts ?? []).map(mountOf)],
        readOnlyRoot: host.ReadonlyRootfs === true,
        ports: portsOf(host.PortBindings),
        restart: restartOf(host.RestartPolicy, host.AutoRemove === true),
      };
      let container;
      reserved.add(name);
      try {
        container = await containers.create(spec);
      } catch (e) {
        // The leader's refusal, worded as dockerd words it. dockerd finds a missing network when it
        // starts the container; answered here at create, its 404 would make the CLI pull the image.
        if (typeof spec.network === 'object' && e instanceof ApiError) {
          if (e.statusCode === 404) throw new ApiError(400, `failed to set up container networking: ${e.message}`);
          if (e.message.startsWith('rpc error')) throw new ApiError(e.statusCode, `Could not attach to network ${spec.network.swarm}: ${e.message}`);
        }
        throw e;
      } finally {
        reserved.delete(name);
      }
      sendJson(res, 201, { Id: container.id, Warnings: [] });
    },

    'POST /containers/{id}/start': async (req, res) => {
      const c = findContainer(daemon, req.params.id!);
      const run = daemon.standalone?.get(c.id);
      if (c.status().state === 'running') return noContent(res, 304);
      if (!run) throw new ApiError(409, `container ${c.id} belongs to a swarm task: its service starts it`);
      try {
        await standalone().start(c, pending.take(c.id));
      } catch (e) {
        // A container that cannot start is removed when it should be (--rm), as dockerd does.
        if (run.spec.autoRemove) void c.remove().catch(() => undefined);
        const message = e instanceof Error ? e.message : String(e);
        if (e instanceof Error && e.name === 'ContainerStartError') throw new ApiError(400, `failed to create task for container: failed to create shim task: ${message}`);
        if (e instanceof Error && e.name === 'ContainerStateError') throw new ApiError(409, message);
        throw e;
      }
      noContent(res, 204);
    },

    // docker restart: stop (with the grace period given) and start again.
    'POST /containers/{id}/restart': async (req, res) => {
      const c = findContainer(daemon, req.params.id!);
      if (!daemon.standalone?.get(c.id)) throw new ApiError(409, `container ${c.id} belongs to a swarm task: update its service to restart it`);
      daemon.standalone.stoppedByUser(c.id);
      await c.stop(stopTimeoutMs(req.query, daemon.timingScale));
      await standalone().start(c);
      noContent(res, 204);
    },

    'POST /containers/{id}/wait': async (req, res) => {
      const c = findContainer(daemon, req.params.id!);
      const condition = req.query.get('condition') || 'not-running';
      if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new ApiError(400, `invalid condition: "${condition}"`);
      // The status line goes at once: the CLI waits for it before it starts the container.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      if (condition === 'removed') await c.untilRemoved();
      else if (condition === 'next-exit' || c.status().state === 'running') await c.wait();
      if (!res.writableEnded) res.end(`${JSON.stringify({ Error: null, StatusCode: c.status().exitCode ?? 0 })}\n`);
    },

    'POST /containers/{id}/attach': (req, res) => attachWithoutUpgrade(daemon, req.params.id!, req.query, res),

    'POST /containers/{id}/resize': (req) => {
      findContainer(daemon, req.params.id!);
      return undefined;
    },

    'POST /containers/prune': async () => {
      const stopped = daemon.containers().filter((c) => c.status().state !== 'running');
      await Promise.all(stopped.map((c) => c.remove()));
      return { ContainersDeleted: stopped.length > 0 ? stopped.map((c) => c.id) : null, SpaceReclaimed: 0 };
    },
  };
}
