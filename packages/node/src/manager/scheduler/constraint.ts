// Placement constraints (SwarmKit manager/constraint/constraint.go): `key==value` or
// `key!=value`, values compared case-insensitively, label keys case-sensitive, a missing label
// or attribute compared as "". An unknown key matches no node.

import { BlockList, isIP } from 'node:net';
import type { Node } from '@swarmlab/api';

export type ConstraintOperator = '==' | '!=';

export interface Constraint {
  key: string;
  operator: ConstraintOperator;
  value: string;
}

/** Thrown with SwarmKit's texts ("key 'x' is invalid", …) for a malformed constraint. */
export class ConstraintError extends Error {
  override readonly name = 'ConstraintError';
}

export const NODE_LABEL_PREFIX = 'node.labels.';
export const ENGINE_LABEL_PREFIX = 'engine.labels.';

const OPERATORS: readonly ConstraintOperator[] = ['==', '!='];
const KEY_PATTERN = /^[a-z_][a-z0-9\-_.]+$/i;
// Alphanumerics and `:-_ .*()?+[]\^$|/` plus whitespace; never `<`, `>` or `~` (future operators).
const VALUE_PATTERN = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map(parseOne);
}

/** Like parseConstraints, but undefined for a malformed list (the scheduler then ignores it, as SwarmKit does). */
export function tryParseConstraints(expressions: readonly string[] | undefined): Constraint[] | undefined {
  try {
    return parseConstraints(expressions ?? []);
  } catch {
    return undefined;
  }
}

function parseOne(expression: string): Constraint {
  for (const operator of OPERATORS) {
    const at = expression.indexOf(operator);
    if (at < 0) continue;
    const key = expression.slice(0, at).trim();
    if (!KEY_PATTERN.test(key)) throw new ConstraintError(`key '${key}' is invalid`);
    const value = expression.slice(at + operator.length).trim();
    if (!VALUE_PATTERN.test(value)) throw new ConstraintError(`value '${value}' is invalid`);
    return { key, operator, value };
  }
  throw new ConstraintError(`constraint expected one operator from ${OPERATORS.join(', ')}`);
}

function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function matches(c: Constraint, actual: string): boolean {
  const same = equalFold(c.value, actual);
  return c.operator === '==' ? same : !same;
}

/** A label's value, "" when missing (own properties only: `constructor` is no label). */
export function labelValue(labels: Record<string, string> | undefined, key: string): string {
  return labels && Object.hasOwn(labels, key) ? String(labels[key]) : '';
}

function hasPrefix(key: string, prefix: string): boolean {
  return key.length > prefix.length && equalFold(key.slice(0, prefix.length), prefix);
}

/**
 * The role the node really has. The store's node objects carry it as `role` (SwarmKit Node.Role,
 * what the certificate says) next to the desired Spec.Role; plain API nodes only have the latter.
 */
export function actualRole(node: Node): string {
  const role = (node as Node & { role?: unknown }).role;
  return typeof role === 'string' ? role : node.Spec.Role;
}

function ipMatches(c: Constraint, nodeAddr: string | undefined): boolean {
  const nodeFamily = nodeAddr ? isIP(nodeAddr) : 0;
  const list = new BlockList();
  const ipFamily = isIP(c.value);
  if (ipFamily) {
    list.addAddress(c.value, ipFamily === 6 ? 'ipv6' : 'ipv4');
  } else {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(c.value);
    const family = cidr ? isIP(cidr[1]) : 0;
    const prefix = cidr ? Number(cidr[2]) : NaN;
    // A malformed address or network rejects every node.
    if (!cidr || !family || prefix > (family === 6 ? 128 : 32)) return false;
    list.addSubnet(cidr[1], prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  const within = nodeFamily !== 0 && list.check(nodeAddr as string, nodeFamily === 6 ? 'ipv6' : 'ipv4');
  return c.operator === '==' ? within : !within;
}

/** True when the node satisfies every constraint (SwarmKit constraint.NodeMatches). */
export function nodeMatchesConstraints(constraints: readonly Constraint[], node: Node): boolean {
  for (const c of constraints) {
    const key = c.key;
    let ok: boolean;
    if (equalFold(key, 'node.id')) ok = matches(c, node.ID);
    else if (equalFold(key, 'node.hostname')) ok = matches(c, node.Description?.Hostname ?? '');
    else if (equalFold(key, 'node.ip')) ok = ipMatches(c, node.Status?.Addr);
    else if (equalFold(key, 'node.role')) ok = matches(c, actualRole(node));
    else if (equalFold(key, 'node.platform.os')) ok = matches(c, node.Description?.Platform?.OS ?? '');
    else if (equalFold(key, 'node.platform.arch')) ok = matches(c, node.Description?.Platform?.Architecture ?? '');
    else if (hasPrefix(key, NODE_LABEL_PREFIX)) ok = matches(c, labelValue(node.Spec.Labels, key.slice(NODE_LABEL_PREFIX.length)));
    else if (hasPrefix(key, ENGINE_LABEL_PREFIX)) ok = matches(c, labelValue(node.Description?.Engine?.Labels, key.slice(ENGINE_LABEL_PREFIX.length)));
    else ok = false; // unknown key
    if (!ok) return false;
  }
  return true;
}
