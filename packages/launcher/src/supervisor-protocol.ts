// What the background launcher (supervisor) and its clients agree on: where its socket is, what
// a cluster's live node view looks like, and the options it starts from.
//
// Protocol: HTTP/1.1 over the UNIX socket `<clusterDir>/launcher.sock`.
//   GET  /ping                 → {"name","pid"}
//   POST /call {method, args}  → 200 {"value": …} | 400 {"error": "…"}   (methods: SUPERVISOR_METHODS)
//   GET  /events?follow=1      → events.jsonl as it grows, one JSON object a line
//   POST /down                 → 200 {"stopped": [names]} once every node is stopped; then it exits

import { join } from 'node:path';
import type { LabOptions, NodeView } from './lab.js';

export const SOCKET_NAME = 'launcher.sock';
export const LAUNCHER_LOG = 'launcher.log';

export function supervisorSocket(clusterDir: string): string {
  return join(clusterDir, SOCKET_NAME);
}

/** Lab options a supervisor is started with (JSON: no callbacks). */
export type SupervisorOptions = Omit<LabOptions, 'onProgress'> & { name: string };

/** Messages a starting supervisor sends its parent over the IPC channel. */
export type StartMessage = { type: 'progress'; line: string } | { type: 'ready'; pid: number } | { type: 'error'; message: string };

/** A node as `swarmlab nodes` shows it: the process, and the swarm's view from the leader. */
export interface LiveNode extends NodeView {
  /** The swarm node ID (from the leader's `GET /nodes`), when known. */
  nodeId?: string;
  /** Docker's Status.State: ready, down, unknown, disconnected ('unknown' when no leader answers). */
  status: string;
  /** Docker's Spec.Availability: active, pause, drain. */
  availability?: string;
  /** leader, reachable, unreachable for managers; '' for workers. */
  managerStatus: string;
}

/** Every method `POST /call` accepts (the Lab verbs and views a client may use). */
export const SUPERVISOR_METHODS = [
  'kill',
  'stop',
  'start',
  'restart',
  'pause',
  'resume',
  'partition',
  'isolate',
  'partitionHalves',
  'partitionMajoritiesRing',
  'partitionBridge',
  'cutApi',
  'block',
  'link',
  'heal',
  'clock',
  'leader',
  'list',
  'resolve',
  'status',
  'nicStats',
  'allReady',
  'notReady',
  'add',
  'nodes',
  'pids',
] as const;

export type SupervisorMethod = (typeof SUPERVISOR_METHODS)[number];
