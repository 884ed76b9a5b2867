// The built-in images: each with its ENTRYPOINT/CMD, ENV, working directory and STOPSIGNAL as
// the real image has them, the programs it ships (looked up by name as PATH would find them) and
// the files its layers put in place. Any other image is "generic": a process that idles until it
// is stopped.

import type { Program, Signal } from '../process.js';
import { shellProgram } from '../shell/sh.js';
import { cat, cut, echo, grep, head, printf, seq, sort, tail, tee, tr, uniq, wc } from '../programs/coreutils/text.js';
import { basename, dirname, ls, mkdir, pwd, rm, touch } from '../programs/coreutils/files.js';
import { date, env, falseProgram, hostname, id, printenv, sleep, trueProgram, uname, whoami as whoamiApplet } from '../programs/coreutils/system.js';
import { expr, test } from '../programs/coreutils/test-expr.js';
import { nslookup, ping, wget } from '../programs/net.js';
import { curlProgram } from '../programs/curl.js';
import { busyboxHttpd } from '../programs/busybox-httpd.js';
import { nginx, nginxEntrypoint, nginxIndexPage, NGINX_VERSION } from '../programs/nginx.js';
import { apacheIndexPage, httpd, httpdForeground, HTTPD_VERSION } from '../programs/apache.js';
import { whoami } from '../programs/whoami.js';
import { redisEntrypoint, redisServer, REDIS_VERSION } from '../programs/redis/server.js';
import { redisCli } from '../programs/redis/cli.js';
import { genericProcess } from '../programs/generic.js';
import { parseImageReference, repositoryName } from './reference.js';

/** Which base system's tools (and error wording) an image has. */
export type Userland = 'busybox' | 'gnu' | 'none';

export interface ImageDefinition {
  repository: string;
  builtIn: boolean;
  entrypoint: string[];
  cmd: string[];
  /** The image's Config.Env. */
  env: string[];
  workingDir: string;
  stopSignal: Signal;
  userland: Userland;
  /** Directories the image's layers have (created in the container's root). */
  directories: string[];
  /** Files from the image's layers that name the container (its default web page). */
  files: (hostname: string) => { path: string; content: string; mode: number }[];
  /** The program `name` (a bare name or a path) runs, as PATH lookup would find it. */
  lookup(name: string): Program | undefined;
  /** Where `name` lives, for `command -v`. */
  pathOf(name: string): string;
  /** PID 1 for an image that runs no real program (generic images). */
  fixedInit?: Program;
  /** When the real image of the emulated version was built (RFC 3339; '' for generic images). */
  created: string;
  /** Its size in bytes on a node, as `docker images` shows it (about; 0 for generic images). */
  size: number;
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const COMMON_APPLETS: Record<string, Program> = {
  echo,
  printf,
  cat,
  head,
  tail,
  wc,
  grep,
  seq,
  tee,
  sort,
  uniq,
  cut,
  tr,
  ls,
  mkdir,
  rm,
  touch,
  pwd,
  basename,
  dirname,
  sleep,
  true: trueProgram,
  false: falseProgram,
  hostname,
  env,
  printenv,
  date,
  whoami: whoamiApplet,
  id,
  uname,
  test,
  '[': test,
  expr,
};

const BUSYBOX_APPLETS: Record<string, Program> = {
  ...COMMON_APPLETS,
  sh: shellProgram('ash'),
  ash: shellProgram('ash'),
  ping,
  wget,
  nslookup,
  httpd: busyboxHttpd,
};

const GNU_APPLETS: Record<string, Program> = {
  ...COMMON_APPLETS,
  sh: shellProgram('dash'),
  dash: shellProgram('dash'),
  bash: shellProgram('bash'),
};

interface ImageSpec {
  repository: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  stopSignal?: Signal;
  userland: Userland;
  /** Image-specific programs: name → [program, path]. They shadow the userland's tools. */
  programs?: Record<string, [Program, string]>;
  directories?: string[];
  files?: ImageDefinition['files'];
  created: string;
  size: number;
}

function defineImage(spec: ImageSpec): ImageDefinition {
  const applets = spec.userland === 'busybox' ? BUSYBOX_APPLETS : spec.userland === 'gnu' ? GNU_APPLETS : {};
  const programs = spec.programs ?? {};
  const base = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  return {
    repository: spec.repository,
    builtIn: true,
    entrypoint: spec.entrypoint ?? [],
    cmd: spec.cmd ?? [],
    env: spec.env ?? [DEFAULT_PATH],
    workingDir: spec.workingDir ?? '/',
    stopSignal: spec.stopSignal ?? 'SIGTERM',
    userland: spec.userland,
    directories: spec.directories ?? [],
    files: spec.files ?? (() => []),
    created: spec.created,
    size: spec.size,
    lookup: (name) => {
      const b = base(name);
      if (!b) return undefined;
      return Object.hasOwn(programs, b) ? programs[b]![0] : Object.hasOwn(applets, b) ? applets[b] : undefined;
    },
    pathOf: (name) => {
      const b = base(name);
      if (Object.hasOwn(programs, b)) return programs[b]![1];
      return spec.userland === 'busybox' ? `/bin/${b}` : `/usr/bin/${b}`;
    },
  };
}

const busybox = (repository: string, shell: string, created: string, size: number) =>
  defineImage({ repository, cmd: [shell], userland: 'busybox', directories: ['/tmp', '/root', '/home', '/var/www'], created, size });

const whoamiImage = (repository: string) =>
  defineImage({ repository, entrypoint: ['/whoami'], userland: 'none', programs: { whoami: [whoami, '/whoami'] }, created: '2023-05-15T13:04:49Z', size: 6_550_000 });

const NGINX: ImageSpec = {
  repository: 'nginx',
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['nginx', '-g', 'daemon off;'],
  env: [DEFAULT_PATH, `NGINX_VERSION=${NGINX_VERSION}`, 'NJS_VERSION=0.8.7', 'NJS_RELEASE=1~bookworm', 'PKG_RELEASE=1~bookworm', 'DYNPKG_RELEASE=1~bookworm'],
  stopSignal: 'SIGQUIT',
  userland: 'gnu',
  directories: ['/tmp', '/root'],
  programs: {
    nginx: [nginx, '/usr/sbin/nginx'],
    'nginx-debug': [nginx, '/usr/sbin/nginx-debug'],
    'docker-entrypoint.sh': [nginxEntrypoint, '/docker-entrypoint.sh'],
    // Both nginx images install curl ("to make registering on DNS SD easier").
    curl: [curlProgram('7.88.1'), '/usr/bin/curl'],
  },
  files: (hostname) => [{ path: '/usr/share/nginx/html/index.html', content: nginxIndexPage(hostname), mode: 0o644 }],
  created: '2024-11-26T18:42:08Z',
  size: 192_004_242,
};

const HTTPD: ImageSpec = {
  repository: 'httpd',
  cmd: ['httpd-foreground'],
  env: ['PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HTTPD_PREFIX=/usr/local/apache2', `HTTPD_VERSION=${HTTPD_VERSION}`, 'HTTPD_PATCHES='],
  workingDir: '/usr/local/apache2',
  stopSignal: 'SIGWINCH',
  userland: 'gnu',
  directories: ['/tmp', '/root'],
  programs: {
    httpd: [httpd, '/usr/local/apache2/bin/httpd'],
    'httpd-foreground': [httpdForeground, '/usr/local/bin/httpd-foreground'],
  },
  files: (hostname) => [{ path: '/usr/local/apache2/htdocs/index.html', content: apacheIndexPage(hostname), mode: 0o644 }],
  created: '2024-11-12T03:12:09Z',
  size: 147_907_843,
};

const REDIS: ImageSpec = {
  repository: 'redis',
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['redis-server'],
  env: [DEFAULT_PATH, `REDIS_VERSION=${REDIS_VERSION}`, `REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-${REDIS_VERSION}.tar.gz`],
  workingDir: '/data',
  userland: 'gnu',
  directories: ['/data', '/tmp', '/root'],
  programs: {
    'redis-server': [redisServer, '/usr/local/bin/redis-server'],
    'redis-cli': [redisCli, '/usr/local/bin/redis-cli'],
    'docker-entrypoint.sh': [redisEntrypoint, '/usr/local/bin/docker-entrypoint.sh'],
  },
  created: '2024-10-03T16:53:38Z',
  size: 117_163_484,
};

const BUILT_IN: Record<string, ImageDefinition> = {
  busybox: busybox('busybox', 'sh', '2024-09-26T21:31:42Z', 4_269_220),
  alpine: busybox('alpine', '/bin/sh', '2024-09-06T12:05:36Z', 7_797_760),
  nginx: defineImage(NGINX),
  httpd: defineImage(HTTPD),
  redis: defineImage(REDIS),
  'traefik/whoami': whoamiImage('traefik/whoami'),
  'containous/whoami': whoamiImage('containous/whoami'),
};

/**
 * The same images' Alpine variants (tags "alpine", "1.27-alpine", "7-alpine3.20"…): busybox's
 * tools instead of GNU's (sh is ash, wget and nslookup are there), the image's own programs alike.
 */
const ALPINE_VARIANTS: Record<string, ImageDefinition> = {
  nginx: defineImage({
    ...NGINX,
    userland: 'busybox',
    env: [DEFAULT_PATH, `NGINX_VERSION=${NGINX_VERSION}`, 'PKG_RELEASE=1', 'DYNPKG_RELEASE=1', 'NJS_VERSION=0.8.7', 'NJS_RELEASE=1'],
    programs: { ...NGINX.programs, curl: [curlProgram('8.11.1'), '/usr/bin/curl'] },
    size: 47_983_472,
  }),
  httpd: defineImage({ ...HTTPD, userland: 'busybox', size: 60_402_135 }),
  redis: defineImage({ ...REDIS, userland: 'busybox', size: 41_368_672 }),
};

/** The built-in image for a reference ("nginx:1.27@sha256:…"), or undefined. */
export function findBuiltInImage(reference: string): ImageDefinition | undefined {
  const ref = parseImageReference(reference);
  const name = repositoryName(ref);
  if (ref.tag && /(^|-)alpine/.test(ref.tag) && Object.hasOwn(ALPINE_VARIANTS, name)) return ALPINE_VARIANTS[name];
  return Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name] : undefined;
}

/** An image we know nothing about: its process idles until stopped. */
export function genericImage(reference: string): ImageDefinition {
  return {
    repository: repositoryName(parseImageReference(reference)),
    builtIn: false,
    entrypoint: [],
    cmd: [],
    env: [DEFAULT_PATH],
    workingDir: '/',
    stopSignal: 'SIGTERM',
    userland: 'none',
    directories: [],
    files: () => [],
    lookup: () => undefined,
    pathOf: (name) => name,
    fixedInit: genericProcess,
    created: '',
    size: 0,
  };
}

export const BUILT_IN_IMAGES: readonly string[] = Object.keys(BUILT_IN);
