/** A base URL where nothing listens (a loopback port opened and closed again), for "server down" tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function closedBaseUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
