// The NIC's `blockApi` rule on the servers the user talks to, the Engine API and the routing
// mesh's published ports (the user's traffic does not pass through the NIC, so the servers apply
// it): while it holds, nothing is read from any of their connections, open or new. The kernel
// still accepts connections and queues what clients send, so their requests wait as over a cut
// cable, and are read and answered once the rule is lifted.

import type { Server, Socket } from 'node:net';

export class ApiGate {
  private blocked = false;
  private readonly sockets = new Set<Socket>();

  /** Gates the connections of `server` from now on (attach after the server's own connection listener). */
  attach(server: Server): void {
    // Runs after the server's own connection listener, which set the socket up for reading.
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      // The HTTP server resumes its sockets (on connection, and after a client read slow
      // responses): while blocked, each resume is undone.
      socket.on('resume', () => {
        if (this.blocked) stopReading(socket);
      });
      if (this.blocked) stopReading(socket);
    });
  }

  set(blocked: boolean): void {
    if (blocked === this.blocked) return;
    this.blocked = blocked;
    for (const socket of this.sockets) {
      if (blocked) stopReading(socket);
      else socket.resume();
    }
  }
}

/**
 * The HTTP server's parser reads a socket straight from its handle, and the server's 'pause'
 * listener is what stops those reads. pause() emits 'pause' only on a flowing stream, yet a
 * resume scheduled before it restarts the reads of a stream already paused: then say it again.
 */
function stopReading(socket: Socket): void {
  if (socket.isPaused()) socket.emit('pause');
  else socket.pause();
}
