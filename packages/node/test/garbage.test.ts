// Garbage on every port — random bytes, aborted TLS handshakes, oversized and undecodable frames,
// malformed HTTP and JSON — leaves every node serving.

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '@swarmlab/launcher';
import { addLabel, startLab, stopAllLabs } from './helpers/lab.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ name: 'garbage', managers: 3, workers: 1 });
}, 60_000);
afterAll(stopAllLabs, 60_000);

function sendTcp(host: string, port: number, data: Buffer, closeAfterMs = 50): Promise<void> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port }, () => {
      s.write(data);
      setTimeout(() => s.destroy(), closeAfterMs);
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

/** A TLS session without a certificate, then raw bytes inside it (frames the node must refuse). */
function sendInsideTls(host: string, port: number, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host, port, rejectUnauthorized: false, servername: 'swarm-manager' }, () => {
      s.write(data);
      setTimeout(() => s.destroy(), 100);
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

function rawHttp(host: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = netConnect({ host, port: 2375 }, () => s.end(text));
    s.on('data', (d) => (out += d.toString()));
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
  });
}

function postJson(host: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: 2375, path, method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('garbage on every port', () => {
  it('leaves every node serving', async () => {
    const addrs = [...lab.nodes.values()].map((n) => n.spec.addr);
    const managers = ['manager1', 'manager2', 'manager3'].map((m) => lab.node(m).spec.addr);

    for (const host of managers) {
      // Random bytes where a TLS ClientHello should be; a handshake cut in the middle.
      for (let i = 0; i < 5; i++) await sendTcp(host, 2377, randomBytes(1 + Math.floor(Math.random() * 4000)));
      await sendTcp(host, 2377, Buffer.from('16030100c8010000c40303', 'hex'), 10);
      // Inside TLS: an oversized frame header, a truncated frame, undecodable msgpack.
      await sendInsideTls(host, 2377, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
      await sendInsideTls(host, 2377, Buffer.from([0, 0, 0, 50, 1, 2]));
      await sendInsideTls(host, 2377, Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from([0xc1, 0xc1, 0xc1, 0xc1])]));
      await sendInsideTls(host, 2377, randomBytes(2048));
    }

    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    for (const host of addrs) {
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => udp.send(randomBytes(1 + (i * 70) % 1400), 7946, host, () => r()));
    }
    udp.close();

    for (const host of addrs) {
      await sendTcp(host, 2375, randomBytes(3000));
      expect(await rawHttp(host, 'GARBAGE / HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 4\d\d/);
      expect(await rawHttp(host, `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
      const badJson = await postJson(host, '/v1.47/swarm/init', '{"ListenAddr": ');
      expect(badJson.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(badJson.text).message).toBeTruthy();
      const wrongShape = await postJson(host, '/v1.47/nodes/worker1/update?version=1', '[1,2,3]');
      expect(wrongShape).toMatchObject({ status: 400 });
      expect(JSON.parse(wrongShape.text).message).toBe('invalid JSON: json: cannot unmarshal array into Go value of type swarm.NodeSpec');
      const notAVersion = await postJson(host, '/v1.47/swarm/update?version=abc', '{}');
      expect(notAVersion.status).toBe(400);
    }

    // Every process is alive, every node answers, the swarm still takes writes.
    for (const n of lab.nodes.values()) expect(n.state).toBe('running');
    for (const name of lab.nodes.keys()) await lab.client(name, 3000).ping();
    await lab.waitFor(() => lab.allReady(), 10_000, 'every node Ready');
    await addLabel(lab, 'manager2', 'worker1', 'still', 'works');
    expect((await lab.client('manager3').nodeInspect('worker1')).Spec.Labels).toMatchObject({ still: 'works' });
  }, 120_000);
});
