/**
 * The receiving node of the transport benchmark, run as its own process: a manager listening
 * through its NIC, counting `sink` messages and reporting when the expected count has arrived.
 */
import { Nic } from '../src/nic.js';
import { TransportServer } from '../src/server.js';
import { SecurityConfig } from '../src/tls/security-config.js';

export interface ReceiverSetup {
  address: string;
  certPem: string;
  keyPem: string;
  rootPem: string;
  clusterId: string;
}

export interface ReceiverReport {
  received: number;
}

process.once('message', async (setup: ReceiverSetup) => {
  const nic = new Nic({ address: setup.address });
  let expected = 0;
  let received = 0;
  const server = new TransportServer({
    nic,
    port: 0,
    security: new SecurityConfig({ certPem: setup.certPem, keyPem: setup.keyPem, roots: [setup.rootPem], clusterId: setup.clusterId }),
    services: {
      control: {
        onMessage: (body) => {
          expected = (body as { expect: number }).expect;
          received = 0;
        },
      },
      sink: {
        onMessage: () => {
          if (++received === expected) process.send?.({ received } satisfies ReceiverReport);
        },
      },
    },
  });
  const port = await server.listen();
  process.send?.({ port });
  process.once('SIGTERM', () => {
    void server.close().then(() => nic.close()).then(() => process.exit(0));
  });
  process.once('disconnect', () => process.exit(0));
});
