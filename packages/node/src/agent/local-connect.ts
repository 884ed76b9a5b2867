// A TCP connection to an address on this node (a container's loopback address), resolved once it
// is established, rejected with the connect error (ECONNREFUSED …). Containers' own programs and
// the routing mesh both dial containers this way; what goes to another node takes the data path.

import { connect, type Socket } from 'node:net';

export function connectLocal(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
