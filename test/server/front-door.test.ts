/**
 * The front door of `imagefleet serve` on a real loopback HTTP server: the Host allow-list (DNS
 * rebinding), malformed percent-encoding and declared body sizes are refused before any route runs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { answerFailedRequest, createFrontDoor, maxEventStreamsPerAddress } from '../../src/server/front-door.js';
import { RecordingLogger } from '../support/recording-logger.js';

interface Served {
  port: number;
  /** Requests that got past the front door. */
  passed: string[];
  warnings: () => string[];
  close: () => Promise<void>;
}

const servers: Served[] = [];

async function serveWithFrontDoor(env: Record<string, string> = {}): Promise<Served> {
  const config = loadConfig({ IMAGEFLEET_DATA_DIR: '/tmp/imagefleet-front-door-unused', ...env }, { cwd: '/tmp' });
  const logger = new RecordingLogger();
  const frontDoor = createFrontDoor(config, logger);
  const passed: string[] = [];
  const server = http.createServer((request, response) => {
    if (!frontDoor.admit(request, response)) return;
    passed.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end('passed'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const served: Served = {
    port: (server.address() as AddressInfo).port,
    passed,
    warnings: () => logger.lines.filter((line) => line.startsWith('warn ')).map((line) => line.split(' {')[0]!.slice('warn '.length)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  servers.push(served);
  return served;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** One raw request with exactly these headers (fetch would not let us set Host). */
function rawRequest(port: number, options: { method?: string; path?: string; headers: Record<string, string>; body?: Buffer }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/api/groups', headers: options.headers, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('the Host allow-list', () => {
  it('refuses a page whose name was rebound to 127.0.0.1 (same Origin and Host, both foreign)', async () => {
    const { port, passed, warnings } = await serveWithFrontDoor();
    const answer = await rawRequest(port, {
      method: 'POST',
      headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' },
      body: Buffer.from('{"name":"rebind"}'),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'forbidden' } });
    expect(answer.body).toContain('IMAGEFLEET_ALLOWED_HOSTS');
    expect(answer.headers.connection).toBe('close');
    expect(passed).toEqual([]);
    expect(warnings()).toContain('request refused at the front door');
  });

  it('refuses reads too (the health report would show the data directory)', async () => {
    const { port, passed } = await serveWithFrontDoor();
    expect((await rawRequest(port, { path: '/api/health', headers: { host: `rebound.attacker.test:${port}` } })).status).toBe(403);
    expect(passed).toEqual([]);
  });

  it('refuses a foreign X-Forwarded-Host even when Host is loopback', async () => {
    const { port, passed } = await serveWithFrontDoor();
    expect((await rawRequest(port, { headers: { host: `127.0.0.1:${port}`, 'x-forwarded-host': `evil.example:${port}` } })).status).toBe(403);
    expect(passed).toEqual([]);
  });

  it('refuses a request without a Host header', async () => {
    const { port } = await serveWithFrontDoor();
    const answer = await rawRequest(port, { headers: {} });
    expect(answer.status).toBe(400);
  });

  it.each([['127.0.0.1'], ['localhost'], ['[::1]'], ['studio.localhost'], ['127.0.0.2'], ['LOCALHOST']])('lets %s through', async (name) => {
    const { port, passed } = await serveWithFrontDoor();
    const answer = await rawRequest(port, { headers: { host: `${name}:${port}` } });
    expect(answer.status).toBe(200);
    expect(passed).toHaveLength(1);
  });

  it('lets the names of IMAGEFLEET_ALLOWED_HOSTS and of IMAGEFLEET_PUBLIC_URL through, and only those', async () => {
    const { port } = await serveWithFrontDoor({ IMAGEFLEET_ALLOWED_HOSTS: 'studio.lan, 192.168.1.20', IMAGEFLEET_PUBLIC_URL: 'https://imagefleet.example.com/' });
    expect((await rawRequest(port, { headers: { host: `studio.lan:${port}` } })).status).toBe(200);
    expect((await rawRequest(port, { headers: { host: '192.168.1.20' } })).status).toBe(200);
    expect((await rawRequest(port, { headers: { host: 'imagefleet.example.com' } })).status).toBe(200);
    expect((await rawRequest(port, { headers: { host: 'other.lan' } })).status).toBe(403);
  });

  it('lets any name through with IMAGEFLEET_ALLOWED_HOSTS=*', async () => {
    const { port } = await serveWithFrontDoor({ IMAGEFLEET_ALLOWED_HOSTS: '*' });
    expect((await rawRequest(port, { headers: { host: 'anything.example' } })).status).toBe(200);
  });

  it('refuses a bad IMAGEFLEET_ALLOWED_HOSTS at startup', () => {
    expect(() => loadConfig({ IMAGEFLEET_ALLOWED_HOSTS: 'http://studio.lan/' }, { cwd: '/tmp' })).toThrow(/IMAGEFLEET_ALLOWED_HOSTS/);
  });
});

describe('security headers', () => {
  it('gives every admitted answer a Content-Security-Policy with frame-ancestors, nosniff and no framing', async () => {
    const { port } = await serveWithFrontDoor();
    const answer = await rawRequest(port, { path: '/studio', headers: { host: `127.0.0.1:${port}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
  });
});

describe('malformed URLs', () => {
  it('answers a malformed percent-encoding with a logged JSON 400, not a plain-text 500', async () => {
    const { port, passed, warnings } = await serveWithFrontDoor();
    const answer = await rawRequest(port, { path: '/api/groups/%E0%A4%A', headers: { host: `127.0.0.1:${port}` } });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_input' } });
    expect(passed).toEqual([]);
    expect(warnings()).toContain('request refused at the front door');
  });
});

describe('declared body sizes', () => {
  it('refuses a 1 GB body on a JSON route before reading it, with memory flat', async () => {
    const { port, passed } = await serveWithFrontDoor();
    const before = process.memoryUsage().rss;
    const answer = await new Promise<number>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/session', headers: { 'content-type': 'application/json', 'content-length': String(1024 ** 3) } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      // Only the headers and a first megabyte: the answer must come without the rest.
      request.write(Buffer.alloc(1024 * 1024, 0x5b));
    });
    expect(answer).toBe(413);
    expect(passed).toEqual([]);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('gives uploads their own, larger limit', async () => {
    const { port } = await serveWithFrontDoor({ IMAGEFLEET_UPLOAD_MAX_BYTES: '1048576' });
    const declared = (size: number, path: string) =>
      rawRequest(port, { method: 'POST', path, headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: Buffer.alloc(size) });
    expect((await declared(3 * 1024 * 1024, '/api/uploads')).status).toBe(413);
    expect((await declared(1024 * 1024, '/api/uploads')).status).toBe(200);
    expect((await declared(9 * 1024 * 1024, '/api/groups')).status).toBe(413);
  });
});

describe('requests that fail behind the front door', () => {
  async function failingServer(failure: (request: http.IncomingMessage) => Promise<never>) {
    const logger = new RecordingLogger();
    const server = http.createServer((request, response) => {
      failure(request).catch((error: unknown) => answerFailedRequest(error, request, response, logger));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ port: 0, passed: [], warnings: () => [], close: () => new Promise((resolve) => server.close(() => resolve())) });
    return { port: (server.address() as AddressInfo).port, logger };
  }

  it('answers an unexpected failure with a logged JSON 500, not plain text', async () => {
    const { port, logger } = await failingServer(() => Promise.reject(new Error('boom')));
    const answer = await rawRequest(port, { headers: { host: `127.0.0.1:${port}` } });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'internal' } });
    expect(logger.lines.filter((line) => line.startsWith('error '))).toHaveLength(1);
  });

  it('logs a client that went away at debug level, not error', async () => {
    let gone: () => void = () => undefined;
    const wentAway = new Promise<void>((resolve) => (gone = resolve));
    const { port, logger } = await failingServer(
      (request) =>
        new Promise<never>((_, reject) => {
          request.socket.once('close', () => {
            reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
            setTimeout(gone, 20);
          });
        }),
    );
    const request = http.request({ host: '127.0.0.1', port, path: '/api/events' });
    request.on('error', () => undefined);
    request.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    request.destroy();
    await wentAway;
    expect(logger.lines.filter((line) => line.startsWith('error '))).toEqual([]);
    expect(logger.lines.some((line) => line.startsWith('debug client went away'))).toBe(true);
  });
});

describe('live-event streams per client address', () => {
  it('refuses the 201st open stream of one address with 429, and admits again once one closes', async () => {
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: '/tmp/imagefleet-front-door-unused' }, { cwd: '/tmp' });
    const frontDoor = createFrontDoor(config, new RecordingLogger());
    const held: http.ServerResponse[] = [];
    const server = http.createServer((request, response) => {
      if (!frontDoor.admit(request, response)) return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': open\n\n');
      held.push(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ port: 0, passed: [], warnings: () => [], close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const open = () =>
      new Promise<{ status: number; request: http.ClientRequest }>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/api/events', agent }, (response) => resolve({ status: response.statusCode ?? 0, request }));
        request.on('error', reject);
      });
    const streams = await Promise.all(Array.from({ length: maxEventStreamsPerAddress }, open));
    expect(streams.every((stream) => stream.status === 200)).toBe(true);
    expect((await open()).status).toBe(429);
    streams[0]!.request.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await open()).status).toBe(200);
    agent.destroy();
  });
});
