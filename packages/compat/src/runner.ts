// Runs a scenario against one daemon and records every step's result. Nothing is compared here:
// the two transcripts are compared afterwards, so both daemons can run at the same time.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Info } from '@swarmlab/api';
import { runDocker, type CommandResult } from './docker-cli.js';
import { engineGetJson, engineRequest, negotiateApiVersion } from './engine-http.js';
import { settle } from './settle.js';
import type { ApiUpdateStep, Scenario, Step } from './steps.js';
import type { Target, TargetFacts } from './targets.js';

export interface StepResult extends CommandResult {
  name: string;
  /** What the step's `before` wait reached. */
  settled?: string;
}

export interface Transcript {
  target: Target;
  facts: TargetFacts;
  results: StepResult[];
}

/** Exit code recorded for a step that could not run at all (the daemon stopped answering). */
export const STEP_BROKEN = -2;

export async function discoverFacts(target: Target): Promise<TargetFacts> {
  const apiVersion = await negotiateApiVersion(target.engine);
  const info = await engineGetJson<Info>(target.engine, `/v${apiVersion}/info`);
  if (!info.Swarm?.NodeID) throw new Error(`${target.name}: /info shows no swarm node (LocalNodeState ${info.Swarm?.LocalNodeState})`);
  return {
    nodeId: info.Swarm.NodeID,
    hostname: info.Name,
    engineVersion: info.ServerVersion,
    nodeAddr: info.Swarm.NodeAddr,
    clusterId: info.Swarm.Cluster?.ID ?? '',
    apiVersion,
  };
}

/** Fills `{node}`, `{image}`, `{hostPort}` and `{file:NAME}` in one argument. */
export function fillPlaceholders(arg: string, target: Target, facts: TargetFacts): string {
  return arg.replace(/\{(node|image|hostPort|file:[\w.-]+)\}/g, (_, key: string) => {
    if (key === 'node') return facts.nodeId;
    if (key === 'image') return target.image;
    if (key === 'hostPort') return String(target.hostPort);
    return join(target.filesDir, key.slice('file:'.length));
  });
}

function fromReply(status: number, text: string): CommandResult {
  return { exitCode: status, stdout: text, stderr: '' };
}

async function runUpdate(step: ApiUpdateStep, target: Target, prefix: string): Promise<CommandResult> {
  const read = await engineRequest(target.engine, 'GET', `${prefix}${step.update}`);
  if (read.status >= 400) return fromReply(read.status, read.text);
  const current = JSON.parse(read.text) as { ID: string; Version: { Index: number }; Spec: Record<string, unknown> };
  const collection = step.update.slice(0, step.update.lastIndexOf('/'));
  const path = `${prefix}${collection}/${current.ID}/update?version=${current.Version.Index}`;
  const reply = await engineRequest(target.engine, 'POST', path, step.change(structuredClone(current.Spec)));
  return fromReply(reply.status, reply.text);
}

async function runStep(step: Step, target: Target, facts: TargetFacts): Promise<CommandResult> {
  const prefix = `/v${facts.apiVersion}`;
  if ('docker' in step) return runDocker(target.dockerHost, step.docker.map((a) => fillPlaceholders(a, target, facts)));
  if ('get' in step) {
    const reply = await engineRequest(target.engine, 'GET', `${prefix}${step.get}`);
    return fromReply(reply.status, reply.text);
  }
  return runUpdate(step, target, prefix);
}

export async function runScenario(target: Target, scenario: Scenario): Promise<Transcript> {
  mkdirSync(target.filesDir, { recursive: true });
  for (const [name, content] of Object.entries(scenario.files)) writeFileSync(join(target.filesDir, name), content);
  const facts = await discoverFacts(target);
  const results: StepResult[] = [];
  for (const step of scenario.steps) {
    const settled = step.before ? await settle(target.engine, `/v${facts.apiVersion}`, step.before) : undefined;
    let result: CommandResult;
    try {
      result = await runStep(step, target, facts);
    } catch (e) {
      // A daemon that stops answering is a finding for this step, not the end of the comparison.
      result = { exitCode: STEP_BROKEN, stdout: '', stderr: `step failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    results.push({ name: step.name, ...result, ...(settled === undefined ? {} : { settled }) });
  }
  return { target, facts, results };
}
