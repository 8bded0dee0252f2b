/**
 * Makes a loopback-only test server (s3rver, a provider fake) reachable from other network hosts:
 * listens on `listenAddress` and pipes each connection to `127.0.0.1:targetPort`, byte for byte.
 * The servers stay as they are; only the address the namespaced processes dial changes.
 */
import net from 'node:net';

export interface TcpForwarder {
  /** `listenAddress:port` as a host:port pair for URLs. */
  hostPort: string;
  close(): Promise<void>;
}

export async function startTcpForwarder(listenAddress: string, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((incoming) => {
    const outgoing = net.connect(targetPort, '127.0.0.1');
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    // A peer killed with SIGKILL resets its connection: end the other side, never crash the test.
    incoming.on('error', () => outgoing.destroy());
    outgoing.on('error', () => incoming.destroy());
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenAddress, resolve);
  });
  const address = server.address() as net.AddressInfo;
  return {
    hostPort: `${listenAddress}:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
