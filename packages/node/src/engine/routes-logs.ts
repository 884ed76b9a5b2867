// GET /services/{id}/logs and /tasks/{id}/logs (moby daemon/cluster ServiceLogs): the manager's
// log broker gathers the lines from the agents; they go out in Docker's multiplexed stream, one
// frame per line, `[timestamp ]details message`, details first so the CLI can split on them.

import type { ServerResponse } from 'node:http';
import type { Daemon } from '../daemon/daemon.js';
import { ApiError } from '../errors.js';
import type { LogMessage } from '../manager/logbroker/protocol.js';
import { boolQuery, sendError, streamFrame, type Request, type Router } from './http.js';

/** How often a stream asks the broker for new lines (real ms). */
const POLL_MS = 100;

interface EnrichedMessage extends LogMessage {
  nodeId: string;
  serviceId: string;
}

/** moby's `tail` (daemon/cluster/services.go ServiceLogs): "all", empty, or a whole number; its errors are 500s. */
function parseTail(text: string | null): number | undefined {
  if (text === null || text === '' || text === 'all') return undefined;
  if (!/^-?\d+$/.test(text)) throw new ApiError(500, 'tail value must be a positive integer or "all"');
  const n = Number(text);
  if (n < 0) throw new ApiError(500, 'negative tail values not supported');
  return n;
}

/** moby's timetypes.ParseTimestamps: unix seconds with an optional fraction; 0 means none. */
function parseSince(text: string | null): number | undefined {
  if (text === null || text === '' || text === '0') return undefined;
  if (!/^\d+(\.\d{1,9})?$/.test(text)) throw new ApiError(500, `strconv.ParseInt: parsing "${text.split('.')[0]}": invalid syntax`);
  return Number(text) * 1000;
}

function format(m: EnrichedMessage, timestamps: boolean, details: boolean): string {
  const context = `com.docker.swarm.node.id=${m.nodeId},com.docker.swarm.service.id=${m.serviceId},com.docker.swarm.task.id=${m.taskId}`;
  return `${timestamps ? `${m.time} ` : ''}${details ? `${context} ` : ''}${m.line}\n`;
}

async function streamLogs(daemon: Daemon, req: Request, res: ServerResponse, target: { service?: string; task?: string }): Promise<void> {
  const stdout = boolQuery(req.query, 'stdout');
  const stderr = boolQuery(req.query, 'stderr');
  // moby answers this one with a 500 (a plain error from the logs backend).
  if (!stdout && !stderr) throw new ApiError(500, 'Bad parameters: you must choose at least one stream');
  const follow = boolQuery(req.query, 'follow');
  const timestamps = boolQuery(req.query, 'timestamps');
  const details = boolQuery(req.query, 'details');
  const args = { ...target, follow, stdout, stderr, tail: parseTail(req.query.get('tail')), since: parseSince(req.query.get('since')) };
  // Errors before the first byte (unknown service, not a manager) are ordinary API errors.
  const { id } = (await daemon.control('logs.subscribe', args)) as { id: string };
  res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
  let open = true;
  res.on('close', () => {
    open = false;
  });
  try {
    while (open) {
      const { messages, done } = (await daemon.control('logs.poll', { id })) as { messages: EnrichedMessage[]; done: boolean };
      for (const m of messages) if (open) res.write(streamFrame(m.stream, format(m, timestamps, details)));
      if (done) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch {
    // The leader changed or went away mid-stream: the stream ends, as a broken gRPC stream does.
  } finally {
    if (!open) void daemon.control('logs.cancel', { id }).catch(() => undefined);
    if (!res.writableEnded) res.end();
  }
}

export function logRoutes(r: Router, daemon: Daemon): void {
  const handle = (target: (req: Request) => { service?: string; task?: string }) => (req: Request, res: ServerResponse) =>
    streamLogs(daemon, req, res, target(req)).catch((e) => {
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      sendError(res, e);
    });
  r.on('GET', '/services/{id}/logs', handle((req) => ({ service: req.params.id })));
  r.on('GET', '/tasks/{id}/logs', handle((req) => ({ task: req.params.id })));
}
