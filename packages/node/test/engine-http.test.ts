import { createServer, request, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../src/engine/http.js';

// One answer object, reused as a memoized read reuses it, big enough to be worth compressing.
const big = Array.from({ length: 200 }, (_, i) => ({ ID: `task${i}`, Spec: { ContainerSpec: { Image: 'busybox', Args: ['sleep', '3600'] } } }));
const small = { ID: 'x' };
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => sendJson(res, 200, req.url === '/big' ? big : small));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(path: string, acceptEncoding?: string): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sendJson', () => {
  const plain = JSON.stringify(big) + '\n';

  it('answers in plain JSON a client that does not ask for gzip', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await get('/big');
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.body.toString()).toBe(plain);
    }
  });

  it('gzips a large answer served again to a client that asks, as the docker CLI does', async () => {
    const first = await get('/big', 'gzip');
    const second = await get('/big', 'gzip');
    for (const r of [first, second]) {
      const text = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body).toString() : r.body.toString();
      expect(text).toBe(plain);
    }
    expect(second.headers['content-encoding']).toBe('gzip');
    expect(second.headers.vary).toBe('Accept-Encoding');
    expect(Number(second.headers['content-length'])).toBe(second.body.length);
    expect(second.body.length).toBeLessThan(plain.length / 4);
  });

  it('never compresses small answers or for a client that refuses gzip', async () => {
    for (let i = 0; i < 2; i++) expect((await get('/small', 'gzip')).headers['content-encoding']).toBeUndefined();
    for (let i = 0; i < 2; i++) expect((await get('/big', 'gzip;q=0, identity')).headers['content-encoding']).toBeUndefined();
  });
});
