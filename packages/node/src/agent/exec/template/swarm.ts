// SwarmKit's template context (template/context.go) and expansion rules (template/expand.go):
// the agent expands the hostname, env values and mount fields of a task's container spec just
// before creating the container, with `missingkey=error` and the `join` function; config and
// secret payloads additionally get `secret`, `config` and `env`.

import { BUILTINS, executeTemplate, TemplateError, type FunctionSpec } from './execute.js';
import { goStruct, stringMap, type GoStruct } from './values.js';

export interface TemplateTask {
  serviceId: string;
  serviceName: string;
  serviceLabels?: Record<string, string>;
  nodeId: string;
  nodeHostname?: string;
  nodeOs?: string;
  nodeArch?: string;
  taskId: string;
  /** `<service>.<slot>.<taskID>`, or `<service>.<nodeID>.<taskID>` for global tasks. */
  taskName: string;
  /** 0 or absent for global tasks: the context's Task.Slot is then the node ID. */
  slot?: number;
}

/** The name Go's text/template reports errors under (SwarmKit's newTemplate). */
const TEMPLATE_NAME = 'expansion';

const SWARM_FUNCTIONS: Record<string, FunctionSpec> = {
  ...BUILTINS,
  // strings.Join(s[1:], s[0]): the first argument is the separator.
  join: {
    fn: (...s) => {
      if (s.length === 0) throw new Error('runtime error: index out of range [0] with length 0');
      return (s.slice(1) as string[]).join(s[0] as string);
    },
    arity: 0,
    variadic: true,
    stringArgs: true,
  },
};

/** *template.Context, as SwarmKit's NewContext fills it. */
export function swarmContext(t: TemplateTask): GoStruct {
  return goStruct(
    'template.Context',
    {
      Service: goStruct('struct { ID string; Name string; Labels map[string]string }', {
        ID: t.serviceId,
        Name: t.serviceName,
        Labels: stringMap(t.serviceLabels),
      }),
      Node: goStruct('struct { ID string; Hostname string; Platform template.Platform }', {
        ID: t.nodeId,
        Hostname: t.nodeHostname ?? '',
        Platform: goStruct('template.Platform', { Architecture: t.nodeArch ?? '', OS: t.nodeOs ?? '' }),
      }),
      Task: goStruct('struct { ID string; Name string; Slot string }', {
        ID: t.taskId,
        Name: t.taskName,
        Slot: t.slot ? String(t.slot) : t.nodeId,
      }),
    },
    true,
  );
}

/** Context.Expand: text/template errors come back with Go's wording. */
export function expand(context: GoStruct, text: string, functions: Record<string, FunctionSpec> = SWARM_FUNCTIONS): string {
  return executeTemplate(TEMPLATE_NAME, text, context, functions);
}

type TemplatedMount = { source?: string; target: string };

export interface ExpandedContainerFields<M extends TemplatedMount = TemplatedMount> {
  env: string[];
  hostname: string;
  mounts: M[];
}

/**
 * ExpandContainerSpec: env values (the part after `=`), then mount sources and targets, then the
 * hostname — the order of SwarmKit's checks, so the first failing field is the one reported.
 * Throws TemplateError with SwarmKit's wrapped message, e.g.
 * `expanding env failed: expanding env "A={{.Foo}}": template: expansion:1:2: …`.
 */
export function expandContainerFields<M extends TemplatedMount = TemplatedMount>(
  context: GoStruct,
  fields: { env?: string[]; hostname?: string; mounts?: M[] },
): ExpandedContainerFields<M> {
  const env: string[] = [];
  for (const value of fields.env ?? []) {
    const eq = value.indexOf('=');
    if (eq === -1) {
      env.push(value);
      continue;
    }
    try {
      env.push(`${value.slice(0, eq)}=${expand(context, value.slice(eq + 1))}`);
    } catch (e) {
      throw wrap(e, `expanding env failed: expanding env ${goQuote(value)}`);
    }
  }
  const mounts: M[] = [];
  for (const m of fields.mounts ?? []) {
    let source = m.source;
    let target: string;
    try {
      source = m.source === undefined ? undefined : expand(context, m.source);
    } catch (e) {
      throw wrap(e, `expanding mounts failed: expanding mount source ${goQuote(m.source ?? '')}`);
    }
    try {
      target = expand(context, m.target);
    } catch (e) {
      throw wrap(e, `expanding mounts failed: expanding mount target ${goQuote(m.target)}`);
    }
    mounts.push({ ...m, source, target });
  }
  let hostname: string;
  try {
    hostname = expand(context, fields.hostname ?? '');
  } catch (e) {
    throw wrap(e, 'expanding hostname failed');
  }
  return { env, hostname, mounts };
}

/**
 * PayloadContext.Expand for templated secrets and configs (`--template-driver golang`): the
 * context plus `secret "<target>"`, `config "<target>"` and `env "<VAR>"`.
 */
export function expandPayload(
  context: GoStruct,
  payload: string,
  getters: { secret?: (target: string) => string; config?: (target: string) => string; env?: (name: string) => string },
): string {
  const unavailable = (what: string) => () => {
    throw new Error(`${what} unavailable`);
  };
  const functions: Record<string, FunctionSpec> = {
    ...SWARM_FUNCTIONS,
    secret: { fn: (t) => (getters.secret ?? unavailable('secrets'))(t as string), arity: 1, stringArgs: true },
    config: { fn: (t) => (getters.config ?? unavailable('configs'))(t as string), arity: 1, stringArgs: true },
    env: { fn: (n) => (getters.env ?? (() => ''))(n as string), arity: 1, stringArgs: true },
  };
  return expand(context, payload, functions);
}

function wrap(e: unknown, prefix: string): TemplateError {
  return new TemplateError(`${prefix}: ${(e as Error).message}`);
}

/** Go's %q for the strings SwarmKit quotes in its messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

export { TemplateError };
