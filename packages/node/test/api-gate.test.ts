// The blockApi rule on an HTTP server: requests on open and on new connections wait while it
// holds, and are answered once it is lifted.

import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiGate } from '../src/engine/api-gate.js';

let server: Server | undefined;
const agents: Agent[] = [];

afterEach(async () => {
  agents.forEach((a) => a.destroy());
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

function get(port: number, agent: Agent): { done: () => boolean; body: Promise<string> } {
  let finished = false;
  const body = new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/_ping', agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        finished = true;
        resolve(text);
      });
    })
      .on('error', reject)
      .end();
  });
  return { done: () => finished, body };
}

describe('ApiGate', () => {
  it('holds requests on open and new connections while blocked, and answers them once lifted', async () => {
    server = createServer((_req, res) => res.end('OK'));
    const gate = new ApiGate();
    gate.attach(server);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const open = new Agent({ keepAlive: true, maxSockets: 1 });
    const fresh = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(open, fresh);
    expect(await get(port, open).body).toBe('OK');

    gate.set(true);
    const onOpen = get(port, open);
    const onNew = get(port, fresh);
    // Long enough for a loopback round trip many times over; nothing may come back while blocked.
    await new Promise((r) => setTimeout(r, 300));
    expect([onOpen.done(), onNew.done()]).toEqual([false, false]);

    gate.set(false);
    expect(await Promise.all([onOpen.body, onNew.body])).toEqual(['OK', 'OK']);
  });
});
