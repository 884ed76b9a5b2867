// Go templates as SwarmKit expands them on the agent: its context, `join`, missingkey=error, and
// text/template's error messages wrapped the way SwarmKit wraps them.

import { describe, expect, it } from 'vitest';
import { expand, expandContainerFields, expandPayload, swarmContext, TemplateError } from '../src/agent/exec/index.js';

const replicated = swarmContext({
  serviceId: 'svc123',
  serviceName: 'web',
  serviceLabels: { tier: 'front', team: 'ops' },
  nodeId: 'node123',
  nodeHostname: 'worker-1',
  nodeOs: 'linux',
  nodeArch: 'x86_64',
  taskId: 'task123',
  taskName: 'web.2.task123',
  slot: 2,
});

const global = swarmContext({ serviceId: 's', serviceName: 'agent', nodeId: 'nodeABC', taskId: 't', taskName: 'agent.nodeABC.t' });

function expansionError(text: string): string {
  try {
    expand(replicated, text);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('swarm template context', () => {
  it('expands the service, node and task fields', () => {
    expect(expand(replicated, '{{.Service.Name}}-{{.Task.Slot}}')).toBe('web-2');
    expect(expand(replicated, '{{.Service.ID}} {{.Node.ID}} {{.Node.Hostname}} {{.Task.ID}} {{.Task.Name}}')).toBe('svc123 node123 worker-1 task123 web.2.task123');
    expect(expand(replicated, '{{.Node.Platform.OS}}/{{.Node.Platform.Architecture}}')).toBe('linux/x86_64');
  });

  it('gives a global task the node ID as its slot', () => {
    expect(expand(global, '{{.Service.Name}}.{{.Task.Slot}}')).toBe('agent.nodeABC');
  });

  it('reads service labels through index and prints maps as Go does', () => {
    expect(expand(replicated, '{{index .Service.Labels "tier"}}')).toBe('front');
    expect(expand(replicated, '{{index .Service.Labels "absent"}}')).toBe('');
    expect(expand(replicated, '{{.Service.Labels}}')).toBe('map[team:ops tier:front]');
  });

  it('has join (separator first), printf, pipelines, conditionals and trim markers', () => {
    expect(expand(replicated, '{{join "-" .Service.Name .Task.Slot "x"}}')).toBe('web-2-x');
    expect(expand(replicated, '{{printf "%s-%03d" .Service.Name 7}}')).toBe('web-007');
    expect(expand(replicated, '{{.Task.Slot | printf "slot%s"}}')).toBe('slot2');
    expect(expand(replicated, '{{if eq .Task.Slot "2"}}two{{else}}other{{end}}')).toBe('two');
    expect(expand(replicated, 'a {{- .Service.Name -}} b')).toBe('awebb');
    expect(expand(replicated, '{{range $k, $v := .Service.Labels}}{{$k}}={{$v}};{{end}}')).toBe('team=ops;tier=front;');
    expect(expand(replicated, 'no templates here')).toBe('no templates here');
  });

  it("fails on unknown fields and keys with text/template's messages", () => {
    expect(expansionError('{{.Foo}}')).toBe('template: expansion:1:2: executing "expansion" at <.Foo>: can\'t evaluate field Foo in type *template.Context');
    expect(expansionError('x-{{.Service.Nope}}')).toBe(
      'template: expansion:1:4: executing "expansion" at <.Service.Nope>: can\'t evaluate field Nope in type struct { ID string; Name string; Labels map[string]string }',
    );
    expect(expansionError('{{.Service.Labels.absent}}')).toBe('template: expansion:1:2: executing "expansion" at <.Service.Labels.absent>: map has no entry for key "absent"');
    expect(expansionError('{{.Task.Slot.X}}')).toBe('template: expansion:1:2: executing "expansion" at <.Task.Slot.X>: can\'t evaluate field X in type string');
  });

  it('fails to parse unknown functions and unclosed actions', () => {
    expect(expansionError('{{upper .Service.Name}}')).toBe('template: expansion:1: function "upper" not defined');
    expect(expansionError('{{.Service.Name')).toBe('template: expansion:1: unclosed action');
    expect(expansionError('{{if .Service.Name}}x')).toBe('template: expansion:1: unexpected EOF');
    expect(expansionError('{{end}}')).toBe('template: expansion:1: unexpected {{end}}');
  });

  it('wraps errors per field as ExpandContainerSpec does, env before hostname', () => {
    const fail = (fields: Parameters<typeof expandContainerFields>[1]) => {
      try {
        expandContainerFields(replicated, fields);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(fail({ env: ['OK=1', 'BAD={{.Nope}}'], hostname: '{{.Also}}' })).toBe(
      'expanding env failed: expanding env "BAD={{.Nope}}": template: expansion:1:2: executing "expansion" at <.Nope>: can\'t evaluate field Nope in type *template.Context',
    );
    expect(fail({ hostname: '{{.Also}}' })).toBe('expanding hostname failed: template: expansion:1:2: executing "expansion" at <.Also>: can\'t evaluate field Also in type *template.Context');
    expect(fail({ mounts: [{ source: '{{.X}}', target: '/data' }] })).toMatch(/^expanding mounts failed: expanding mount source "\{\{\.X\}\}": template: /);
  });

  it('expands only env values and leaves bare names alone', () => {
    const out = expandContainerFields(replicated, { env: ['SLOT={{.Task.Slot}}', 'BARE', 'EQ=a=b {{.Service.Name}}'], hostname: '{{.Node.Hostname}}-{{.Task.Slot}}' });
    expect(out.env).toEqual(['SLOT=2', 'BARE', 'EQ=a=b web']);
    expect(out.hostname).toBe('worker-1-2');
  });

  it('gives payload templates secret, config and env', () => {
    const text = expandPayload(replicated, 'db={{secret "db_pass"}} cfg={{config "app.conf"}} home={{env "HOME"}} svc={{.Service.Name}}', {
      secret: (t) => (t === 'db_pass' ? 'hunter2' : ''),
      config: () => 'c',
      env: () => '/root',
    });
    expect(text).toBe('db=hunter2 cfg=c home=/root svc=web');
    expect(() => expandPayload(replicated, '{{secret "x"}}', {})).toThrow('error calling secret: secrets unavailable');
  });
});
