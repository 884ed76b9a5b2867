import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { DEFAULT_MAX_FRAME_BYTES, FrameBatch, FrameDecoder, FrameError } from './frames.js';
import { TransportError, isRpcCode, toWireError, type RpcCode } from './errors.js';
import { authorize, ownEntry, type CallContext, type ServiceTable } from './services.js';
import { silentLogger, type Logger } from './logger.js';
import type { PeerIdentity } from './tls/identity.js';

export interface LinkOptions {
  maxFrameBytes?: number;
  /** Bytes accepted for sending but not yet taken by the socket; beyond it calls fail fast (default 16 MiB). */
  maxQueuedBytes?: number;
  /** Default deadline of `request` (default 10 s). */
  requestTimeoutMs?: number;
  /** Send a keepalive when nothing was sent for this long (default 1 s; 0 disables keepalives and the idle timeout). */
  keepaliveIntervalMs?: number;
  /** Close the link when nothing arrived for this long (default 5 s): how a blocked peer is noticed. */
  idleTimeoutMs?: number;
  /** Requests from the peer being handled at once before new ones are refused (default 1024). */
  maxIncomingInFlight?: number;
  logger?: Logger;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Lets the NIC count this link's frames per peer. */
export interface FrameCounter {
  countFrames(flow: 'inbound' | 'outbound', frames: number): void;
}

export interface LinkInit {
  /** The authenticated TLS socket. */
  socket: Duplex;
  side: 'client' | 'server';
  peer: PeerIdentity | null;
  remoteAddress: string;
  /** Services this end offers to the other (either end may call the other). */
  services: ServiceTable;
  counter?: FrameCounter;
  options?: LinkOptions;
}

export interface LinkStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  pendingRequests: number;
  queuedBytes: number;
}

// Envelope tags: every frame is a MessagePack array whose first element is one of these.
const REQUEST = 0; // [0, id, service, method, body]
const RESPONSE = 1; // [1, id, body]
const FAILURE = 2; // [2, id, code, message]
const MESSAGE = 3; // [3, service, body]
const KEEPALIVE = 4; // [4]

const FLUSH_THRESHOLD_BYTES = 64 * 1024;
const GRACEFUL_CLOSE_MS = 1000;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: TransportError) => void;
  timer: NodeJS.Timeout;
  cleanup?: () => void;
}

/**
 * One authenticated connection between two nodes carrying framed request/response calls and one-way
 * messages in both directions. Writes are batched per tick into one socket write; the send queue is
 * bounded (calls fail fast with ResourceExhausted when the peer does not keep up); a keepalive and an
 * idle timeout notice a peer that went silent (blocked, paused, partitioned).
 */
export class Link extends EventEmitter<{ close: [reason: string]; drain: [] }> {
  readonly side: 'client' | 'server';
  readonly peer: PeerIdentity | null;
  readonly remoteAddress: string;
  private readonly socket: Duplex;
  private readonly services: ServiceTable;
  private readonly counter: FrameCounter | undefined;
  private readonly logger: Logger;
  private readonly batch: FrameBatch;
  private readonly decoder: FrameDecoder;
  private readonly maxQueuedBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly maxIncomingInFlight: number;
  private readonly pending = new Map<number, Pending>();
  private readonly context: CallContext;
  private nextId = 1;
  private incomingInFlight = 0;
  private flushScheduled = false;
  private lastReceivedAt = performance.now();
  private lastSentAt = performance.now();
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private closedReason: string | null = null;
  private framesInChunk = 0;
  private counters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(init: LinkInit) {
    super();
    const options = init.options ?? {};
    this.side = init.side;
    this.peer = init.peer;
    this.remoteAddress = init.remoteAddress;
    this.socket = init.socket;
    this.services = init.services;
    this.counter = init.counter;
    this.logger = options.logger ?? silentLogger;
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.batch = new FrameBatch(maxFrameBytes);
    this.decoder = new FrameDecoder((frame) => this.dispatch(frame), { maxFrameBytes });
    this.maxQueuedBytes = options.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? 1000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5000;
    this.maxIncomingInFlight = options.maxIncomingInFlight ?? 1024;
    this.context = { link: this, peer: this.peer, remoteAddress: this.remoteAddress };

    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('end', () => {
      const truncated = this.decoder.end();
      this.destroy(truncated ? `${truncated.code}: ${truncated.message}` : 'closed by peer');
    });
    this.socket.on('error', (error: Error) => this.destroy(`socket error: ${error.message}`));
    this.socket.on('close', () => this.destroy('connection closed'));
    if (this.keepaliveIntervalMs > 0) {
      this.keepaliveTimer = setInterval(() => this.keepalive(), this.keepaliveIntervalMs);
      this.keepaliveTimer.unref();
    }
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Why the link closed, or null while it is open. */
  get closeReason(): string | null {
    return this.closedReason;
  }

  /** Bytes accepted for sending that the kernel has not taken yet. */
  get queuedBytes(): number {
    return this.batch.byteLength + this.socket.writableLength;
  }

  stats(): LinkStats {
    return { ...this.counters, pendingRequests: this.pending.size, queuedBytes: this.queuedBytes };
  }

  /** Calls `service.method` on the peer. Rejects with TransportError (remote error, timeout, link down, queue full). */
  request(service: string, method: string, body: unknown, options: RequestOptions = {}): Promise<unknown> {
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    try {
      this.enqueue([REQUEST, id, service, method, body]);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<unknown>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.settle(id)?.reject(new TransportError('DeadlineExceeded', `context deadline exceeded (${service}.${method} to ${this.remoteAddress} after ${timeoutMs} ms)`));
      }, timeoutMs);
      const entry: Pending = { resolve, reject, timer };
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => {
          this.settle(id)?.reject(new TransportError('Canceled', 'context canceled'));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(id, entry);
    });
  }

  /**
   * Sends a one-way message to `service` on the peer. Throws TransportError when the link is down
   * or its queue is full. Messages go out together at the end of the current task, unless `flush`:
   * then it (with what is queued before it) is written to the socket before this returns — for a
   * message on a path that is timed, when the caller has more work to do before it yields.
   */
  send(service: string, body: unknown, options: { flush?: boolean } = {}): void {
    this.enqueue([MESSAGE, service, body]);
    if (options.flush) this.flush();
  }

  /** Sends what is queued, then closes. Pending requests fail with Unavailable. */
  close(reason = 'closed'): void {
    if (this.closedReason !== null) return;
    this.flush();
    this.shutdown(reason);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), GRACEFUL_CLOSE_MS).unref();
  }

  /** Closes at once, dropping anything queued (protocol errors, refused peers, dead peers). */
  destroy(reason: string): void {
    if (this.closedReason !== null) return;
    this.shutdown(reason);
    this.socket.destroy();
  }

  private shutdown(reason: string): void {
    this.closedReason = reason;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    const error = new TransportError('Unavailable', `connection to ${this.remoteAddress} closed: ${reason}`);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    this.logger.info({ remote: this.remoteAddress, peer: this.peer?.nodeId, side: this.side, reason }, 'link closed');
    this.emit('close', reason);
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.cleanup?.();
    return entry;
  }

  private enqueue(envelope: unknown[]): void {
    if (this.closedReason !== null) {
      throw new TransportError('Unavailable', `connection to ${this.remoteAddress} closed: ${this.closedReason}`);
    }
    const queued = this.queuedBytes;
    if (queued >= this.maxQueuedBytes) {
      throw new TransportError('ResourceExhausted', `send queue to ${this.remoteAddress} is full (${queued} bytes waiting): the peer is not keeping up`);
    }
    try {
      this.batch.append(envelope);
    } catch (error) {
      if (error instanceof FrameError) throw new TransportError('ResourceExhausted', error.message);
      throw new TransportError('InvalidArgument', `message cannot be encoded: ${(error as Error).message}`);
    }
    if (this.batch.byteLength >= FLUSH_THRESHOLD_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const frames = this.batch.frames;
    if (frames === 0 || this.closedReason !== null) return;
    const bytes = this.batch.take();
    this.counters.framesOut += frames;
    this.counters.bytesOut += bytes.length;
    this.counter?.countFrames('outbound', frames);
    this.lastSentAt = performance.now();
    this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = performance.now();
    this.counters.bytesIn += chunk.length;
    this.framesInChunk = 0;
    const error = this.decoder.push(chunk);
    if (this.framesInChunk > 0) this.counter?.countFrames('inbound', this.framesInChunk);
    if (error) {
      this.logger.warn({ remote: this.remoteAddress, peer: this.peer?.nodeId, code: error.code, reason: error.message }, 'bad frame, closing link');
      this.destroy(`${error.code}: ${error.message}`);
    }
  }

  private dispatch(frame: unknown): void {
    if (this.closedReason !== null) return;
    this.framesInChunk++;
    this.counters.framesIn++;
    if (!Array.isArray(frame)) return this.protocolViolation('frame is not an envelope');
    switch (frame[0]) {
      case REQUEST:
        if (frame.length !== 5 || !isId(frame[1]) || typeof frame[2] !== 'string' || typeof frame[3] !== 'string') {
          return this.protocolViolation('malformed request');
        }
        return this.onRequest(frame[1], frame[2], frame[3], frame[4]);
      case RESPONSE:
        if (frame.length !== 3 || !isId(frame[1])) return this.protocolViolation('malformed response');
        this.settle(frame[1])?.resolve(frame[2]);
        return;
      case FAILURE: {
        if (frame.length !== 4 || !isId(frame[1]) || typeof frame[3] !== 'string') return this.protocolViolation('malformed error response');
        const code: RpcCode = isRpcCode(frame[2]) ? frame[2] : 'Unknown';
        this.settle(frame[1])?.reject(new TransportError(code, frame[3]));
        return;
      }
      case MESSAGE:
        if (frame.length !== 3 || typeof frame[1] !== 'string') return this.protocolViolation('malformed message');
        return this.onMessage(frame[1], frame[2]);
      case KEEPALIVE:
        return;
      default:
        return this.protocolViolation(`unknown envelope type ${String(frame[0])}`);
    }
  }

  private onRequest(id: number, service: string, method: string, body: unknown): void {
    const definition = ownEntry(this.services, service);
    const denied = authorize(service, definition, this.peer);
    if (denied) {
      this.logger.warn({ remote: this.remoteAddress, peer: this.peer?.nodeId, service, method, reason: denied.message }, 'request refused');
      return this.respondError(id, denied.code, denied.message);
    }
    const handler = ownEntry(definition?.methods, method);
    if (!handler) return this.respondError(id, 'Unimplemented', `unknown method ${method} for service ${service}`);
    if (this.incomingInFlight >= this.maxIncomingInFlight) {
      return this.respondError(id, 'ResourceExhausted', `too many requests in flight from ${this.remoteAddress}`);
    }
    this.incomingInFlight++;
    let result: unknown;
    try {
      result = handler(body, this.context);
    } catch (error) {
      this.incomingInFlight--;
      const wire = toWireError(error);
      return this.respondError(id, wire.code, wire.message);
    }
    if (isThenable(result)) {
      result.then(
        (value) => {
          this.incomingInFlight--;
          this.respond(id, value);
        },
        (error: unknown) => {
          this.incomingInFlight--;
          const wire = toWireError(error);
          this.respondError(id, wire.code, wire.message);
        },
      );
    } else {
      this.incomingInFlight--;
      this.respond(id, result);
    }
  }

  private onMessage(service: string, body: unknown): void {
    const definition = ownEntry(this.services, service);
    const denied = authorize(service, definition, this.peer);
    if (denied || !definition?.onMessage) {
      this.logger.warn({ remote: this.remoteAddress, peer: this.peer?.nodeId, service, reason: denied?.message ?? 'service takes no messages' }, 'message dropped');
      return;
    }
    try {
      definition.onMessage(body, this.context);
    } catch (error) {
      this.logger.error({ remote: this.remoteAddress, service, err: error }, 'message handler failed');
    }
  }

  private respond(id: number, value: unknown): void {
    if (this.closedReason !== null) return;
    try {
      this.enqueue([RESPONSE, id, value]);
    } catch (error) {
      const failure = error as TransportError;
      // Too large for a frame: tell the caller why. Queue full: the caller will time out.
      if (failure.code === 'ResourceExhausted' && failure.message.startsWith('trying to send')) this.respondError(id, failure.code, failure.message);
      else this.logger.warn({ remote: this.remoteAddress, reason: failure.message }, 'response dropped');
    }
  }

  private respondError(id: number, code: RpcCode, message: string): void {
    if (this.closedReason !== null) return;
    try {
      this.enqueue([FAILURE, id, code, message]);
    } catch (error) {
      this.logger.warn({ remote: this.remoteAddress, reason: (error as Error).message }, 'error response dropped');
    }
  }

  private protocolViolation(what: string): void {
    this.logger.warn({ remote: this.remoteAddress, peer: this.peer?.nodeId, reason: what }, 'protocol violation, closing link');
    this.destroy(`protocol violation: ${what}`);
  }

  private keepalive(): void {
    const now = performance.now();
    if (now - this.lastReceivedAt > this.idleTimeoutMs) {
      this.logger.warn({ remote: this.remoteAddress, peer: this.peer?.nodeId, idleMs: Math.round(now - this.lastReceivedAt) }, 'peer silent, closing link');
      this.destroy(`keepalive timeout: nothing received for ${Math.round(now - this.lastReceivedAt)} ms`);
      return;
    }
    if (now - this.lastSentAt >= this.keepaliveIntervalMs) {
      try {
        this.enqueue([KEEPALIVE]);
      } catch {
        // A full queue already means the peer is not reading; the idle timeout on its side decides.
      }
    }
  }
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
