// swarmlab env NODE: the line that points the docker CLI at a node.

import { out, printJson, type Context } from '../context.js';
import { dockerHostLine } from '../format.js';
import { recordedNode, selectCluster } from '../select-cluster.js';

export function env(ctx: Context, ref: string, flags: { cluster?: string; json?: boolean }): void {
  const node = recordedNode(selectCluster(ctx, flags.cluster), ref);
  if (flags.json) return printJson(ctx, { node: node.name, DOCKER_HOST: `tcp://${node.addr}:2375` });
  out(ctx, dockerHostLine(node.addr));
}
