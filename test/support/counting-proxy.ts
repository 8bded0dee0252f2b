/**
 * A loopback HTTP proxy that forwards every request unchanged to one upstream and counts them, so
 * a test or benchmark can tell which of several processes sharing one provider (one API key, one
 * quota) made which calls: each process gets its own proxy as its base URL.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: give it to the process as the provider's base URL. */
  baseUrl: string;
  /** Requests forwarded so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startCountingProxy(upstreamBaseUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamBaseUrl);
  let requests = 0;
  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    const forwarded = http.request(
      { hostname: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
