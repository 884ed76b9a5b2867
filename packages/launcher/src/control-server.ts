// The launcher's end of the control channel: a WebSocket server on 127.0.0.1 that every node
// dials (`--control`). Commands go out with ids and come back as replies; nodes push events.

import { EventEmitter } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ControlServer extends EventEmitter {
  private wss: WebSocketServer | undefined;
  private sockets = new Map<string, WebSocket>();
  private pending = new Map<number, Pending>();
  private nextId = 1;
  port = 0;

  async listen(): Promise<void> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    this.port = (wss.address() as { port: number }).port;
    this.wss = wss;
    wss.on('connection', (ws) => {
      let name: string | undefined;
      ws.on('message', (data) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(data.toString()) as Record<string, unknown>;
        } catch {
          return;
        }
        if (msg.type === 'hello' && typeof msg.name === 'string') {
          name = msg.name;
          this.sockets.set(name, ws);
          this.emit('hello', name, msg);
        } else if (msg.type === 'event' && name) {
          this.emit('event', name, msg);
        } else if (typeof msg.id === 'number') {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          if (msg.ok) p.resolve(msg.value);
          else p.reject(new Error(String(msg.error)));
        }
      });
      ws.on('close', () => {
        if (name && this.sockets.get(name) === ws) this.sockets.delete(name);
      });
      ws.on('error', () => undefined);
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  connected(name: string): boolean {
    return this.sockets.has(name);
  }

  /** Waits until a node has said hello (after its start). */
  async waitConnected(name: string, timeoutMs = 10_000): Promise<void> {
    if (this.sockets.has(name)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('hello', onHello);
        reject(new Error(`${name} did not connect to the control channel within ${timeoutMs} ms`));
      }, timeoutMs);
      const onHello = (n: string) => {
        if (n !== name) return;
        clearTimeout(timer);
        this.off('hello', onHello);
        resolve();
      };
      this.on('hello', onHello);
    });
  }

  request(name: string, op: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
    const ws = this.sockets.get(name);
    if (!ws) return Promise.reject(new Error(`${name} is not connected to the launcher (stopped or paused?)`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${name} did not answer "${op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, op, args }));
    });
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('launcher closing'));
    }
    this.pending.clear();
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }
}
