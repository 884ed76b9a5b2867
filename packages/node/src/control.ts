// The control channel to the launcher (DESIGN: "a small control channel (ws)"). The node dials
// the launcher's loopback WebSocket; the launcher sets fault rules on the emulated NIC, moves the
// emulated clock and asks for status; the node reports leadership changes as they happen.
//
// Protocol (JSON text frames):
//   node → launcher  {"type":"hello","name","addr","pid"}
//   launcher → node  {"id":n,"op":"nic.setRules","args":{"rules":{…}}} | nic.clear | nic.stats
//                    | clock.setOffset {"ms"} | clock.skew {"ms"} | status
//   node → launcher  {"id":n,"ok":true,"value":…} | {"id":n,"ok":false,"error":"…"}
//                    {"type":"event","event":"leader","isLeader","term","lead"} …

import WebSocket from 'ws';
import type { EmulatedClock } from './clock.js';
import type { Daemon } from './daemon/daemon.js';
import type { Log } from './log.js';

export interface ControlOptions {
  url: string;
  name: string;
  daemon: Daemon;
  clock: EmulatedClock;
  log: Log;
}

type Command = { id: number; op: string; args?: Record<string, unknown> };

export class ControlChannel {
  private ws: WebSocket | undefined;
  private stopped = false;
  private backoffMs = 50;

  constructor(private readonly o: ControlOptions) {
    o.daemon.events.on('event', (ev: Record<string, unknown>) => this.sendEvent(ev));
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.o.url);
    this.ws = ws;
    ws.on('open', () => {
      this.backoffMs = 50;
      ws.send(JSON.stringify({ type: 'hello', name: this.o.name, addr: this.o.daemon.addr, pid: process.pid }));
    });
    ws.on('message', (data) => void this.onMessage(ws, data.toString()));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.stopped) return;
      setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 2000);
    });
  }

  private sendEvent(ev: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'event', time: this.o.clock.iso(), ...ev }));
  }

  private async onMessage(ws: WebSocket, text: string): Promise<void> {
    let cmd: Command;
    try {
      cmd = JSON.parse(text) as Command;
      if (typeof cmd?.id !== 'number' || typeof cmd.op !== 'string') throw new Error('expected {id, op, args}');
    } catch (e) {
      this.o.log('warn', 'control: malformed command ignored', { err: String(e) });
      return;
    }
    try {
      const value = await this.run(cmd.op, cmd.args ?? {});
      ws.send(JSON.stringify({ id: cmd.id, ok: true, value }));
    } catch (e) {
      ws.send(JSON.stringify({ id: cmd.id, ok: false, error: e instanceof Error ? e.message : String(e) }));
    }
  }

  private async run(op: string, args: Record<string, unknown>): Promise<unknown> {
    const { daemon, clock } = this.o;
    switch (op) {
      case 'nic.setRules':
        daemon.nic.setRules(args.rules);
        this.o.log('info', 'control: NIC rules set', { rules: args.rules });
        return null;
      case 'nic.clear':
        daemon.nic.clear();
        this.o.log('info', 'control: NIC rules cleared');
        return null;
      case 'nic.stats':
        return daemon.nic.stats();
      case 'clock.setOffset':
        clock.setOffset(num(args.ms, 'ms'));
        return { offsetMs: clock.offset };
      case 'clock.skew':
        clock.skew(num(args.ms, 'ms'));
        return { offsetMs: clock.offset };
      case 'status':
        return daemon.status();
      default:
        throw new Error(`unknown control operation "${op}"`);
    }
  }
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`"${name}" must be a finite number`);
  return v;
}
