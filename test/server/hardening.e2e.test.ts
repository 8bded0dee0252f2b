/**
 * End to end through the real `imagefleet serve` (issue 21): the attacks the front door stops,
 * the headers pages carry, and errors answered as JSON, on the default loopback setup without a
 * token.
 */
import http from 'node:http';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, waitUntilServing, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

function rawRequest(port: number, options: { method?: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('imagefleet serve under attack', () => {
  let server: CliProcess;
  let port: number;
  let baseUrl: string;
  let dataDir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const buildError = inject('nextBuildError');
    if (buildError !== '') throw new Error(buildError);
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    port = await freeLoopbackPort();
    baseUrl = `http://127.0.0.1:${port}`;
    dataDir = path.join(temp.directory, 'data');
    server = startCli(['serve', '--port', String(port), '--data-dir', dataDir], { env: cleanEnvironment({ IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000' }) });
    await waitUntilServing(`${baseUrl}/api/health`, server);
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await cleanup?.();
  });

  it('refuses a DNS-rebinding page (foreign Host and Origin) before any route runs', async () => {
    const rebound = await rawRequest(port, {
      method: 'POST',
      path: '/api/groups',
      headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' },
      body: '{"name":"rebind"}',
    });
    expect(rebound.status).toBe(403);
    const health = await rawRequest(port, { path: '/api/health', headers: { host: `evil.example:${port}` } });
    expect(health.status).toBe(403);
    expect(health.body).not.toContain('dataDir');
    const groups = (await (await fetch(`${baseUrl}/api/groups`)).json()) as { items: Array<{ name: string }> };
    expect(groups.items.map((group) => group.name)).not.toContain('rebind');
    // The studio's own name still works.
    const own = await fetch(`${baseUrl}/api/groups`, { method: 'POST', headers: { origin: baseUrl, 'content-type': 'application/json' }, body: '{"name":"own"}' });
    expect(own.status).toBe(201);
  });

  it('sends pages with a Content-Security-Policy (frame-ancestors) and nosniff', async () => {
    const response = await fetch(baseUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers a malformed percent-encoding with JSON 400, not a plain-text 500', async () => {
    const answer = await rawRequest(port, { path: '/api/groups/%E0%A4%A', headers: { host: `127.0.0.1:${port}` } });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it('refuses a declared 1 GB body at once', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/session', headers: { 'content-type': 'application/json', 'content-length': String(1024 ** 3) } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write('{"token":"');
    });
    expect(status).toBe(413);
  });

  /** Submits a job of `count` local images; returns its id. */
  async function submitJob(count: number): Promise<string> {
    const submitted = await fetch(`${baseUrl}/api/jobs/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, items: [{ prompt: 'a lamp on a desk', count }] }),
    });
    expect(submitted.status).toBe(201);
    return ((await submitted.json()) as { id: string }).id;
  }

  /** Health latencies (ms, sorted) sampled every 50 ms until `done` settles. */
  async function healthLatenciesUntil(done: Promise<unknown>): Promise<number[]> {
    let finished = false;
    const settled = done.then(
      () => (finished = true),
      () => (finished = true),
    );
    const latenciesMs: number[] = [];
    while (!finished) {
      const startedAtMs = performance.now();
      await (await fetch(`${baseUrl}/api/health`)).arrayBuffer();
      latenciesMs.push(performance.now() - startedAtMs);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    await done;
    return latenciesMs.sort((a, b) => a - b);
  }

  const p99 = (sorted: number[]) => sorted[Math.ceil(sorted.length * 0.99) - 1] ?? 0;

  it('keeps /api/health answering while 200 clients replay and follow one job with a long history', { timeout: 240_000 }, async () => {
    const jobId = await submitJob(20);
    // A long history: 5,000 more events of this job, written into the real database beside the
    // server (what a 2,000-image job leaves behind), the last one recognisable.
    const database = new BetterSqlite3(path.join(dataDir, 'imagefleet.db'));
    database.pragma('busy_timeout = 5000');
    const insert = database.prepare('INSERT INTO events (type, job_id, task_id, payload_json, created_at_ms) VALUES (?, ?, ?, ?, ?)');
    database.transaction(() => {
      for (let index = 0; index < 5000; index += 1) {
        insert.run(index === 4999 ? 'test.last' : 'task.completed', jobId, `task-${index}`, JSON.stringify({ images: 1, seed: index, prompt: 'a lamp on a desk with a long enough prompt to look real' }), Date.now());
      }
    })();
    database.close();

    const idle = await healthLatenciesUntil(new Promise((resolve) => setTimeout(resolve, 2000)));

    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const streams: http.ClientRequest[] = [];
    const replayed = Array.from({ length: 200 }, () => {
      return new Promise<void>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: `/api/events?job=${jobId}`, agent }, (response) => {
          if (response.statusCode !== 200) reject(new Error(`event stream answered ${response.statusCode}`));
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            // The frame may sit anywhere in a chunk (the running job's events follow it).
            const window = text + chunk;
            if (window.includes('event: test.last')) resolve();
            text = window.slice(-64);
          });
        });
        request.on('error', () => undefined);
        streams.push(request);
      });
    });
    const withStreams = await healthLatenciesUntil(Promise.all(replayed));
    for (const request of streams) request.destroy();
    agent.destroy();

    const summary = { idleP99Ms: Math.round(p99(idle)), samples: withStreams.length, p50Ms: Math.round(withStreams[Math.floor(withStreams.length / 2)]!), p99Ms: Math.round(p99(withStreams)), maxMs: Math.round(withStreams.at(-1)!) };
    console.log('health latency while 200 live-event clients replay 5,000 events', JSON.stringify(summary));
    // The exact goal (200 ms p99) is measured by `npm run bench` on a quiet machine. Here, on a
    // shared and noisy one, the guard is that every stream got the whole history from the shared
    // reader and health never stalled for the seconds the attack run measured (5.5–12.6 s); the
    // 262 MB the streams receive through Next.js cost health up to ~1.5 s on a loaded 2-core box.
    expect(withStreams.length).toBeGreaterThan(0);
    expect(p99(withStreams), JSON.stringify(summary)).toBeLessThan(Math.max(3000, 3 * p99(idle)));
  });
});
