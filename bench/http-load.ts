/**
 * Benchmark: the real `imagefleet serve` under HTTP load (issue 21). autocannon with 32
 * connections on job status, a gallery page and health, side by side with the same server's floor
 * (`/livez`, answered before Next.js); then `/api/health` p99 while 200 live-event clients follow
 * (and first replay) one job. Requests/s and p99 for each.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantile, reportApiBenchResult, startServe, table, type ApiBenchResult } from './support/api-bench.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const connections = 32;
const durationSeconds = 8;
const imageCount = 200;
const streamClients = 200;
const healthGoalP99Ms = 200;

async function main(): Promise<void> {
  const work = await makeTempDataDir('http-load');
  const dataDir = path.join(work.directory, 'data');
  try {
    const serve = await startServe(dataDir);
    try {
      const submit = async (count: number) => {
        const response = await fetch(`${serve.baseUrl}/api/jobs/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, items: [{ prompt: 'http load benchmark', count }] }),
        });
        if (response.status !== 201) throw new Error(`submit answered ${response.status}`);
        return (await response.json()) as { id: string; groupId: string };
      };
      const waitFor = async (jobId: string) => {
        for (;;) {
          const status = (await (await fetch(`${serve.baseUrl}/api/jobs/${jobId}/status`)).json()) as { status: string };
          if (status.status === 'completed') return;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };
      const job = await submit(imageCount);
      await waitFor(job.id);

      const routes = [
        { name: 'floor: GET /livez (before Next.js)', path: '/livez' },
        { name: 'GET /api/health', path: '/api/health' },
        { name: 'GET /api/jobs/{id}/status', path: `/api/jobs/${job.id}/status` },
        { name: 'GET /api/groups/{id}/images?limit=50', path: `/api/groups/${job.groupId}/images?limit=50` },
      ];
      const loads: Array<{ name: string; result: AutocannonResult }> = [];
      for (const route of routes) {
        const result = await autocannon({ url: `${serve.baseUrl}${route.path}`, connections, duration: durationSeconds });
        loads.push({ name: route.name, result });
        console.log(`${route.name}: ${formatInteger(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
      }

      // 200 clients follow a running job's live events (replaying its history first) while health is timed.
      const running = await submit(imageCount);
      const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
      const streams: http.ClientRequest[] = [];
      let framesReceived = 0;
      for (let index = 0; index < streamClients; index += 1) {
        const request = http.get(`${serve.baseUrl}/api/events?job=${running.id}`, { agent }, (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (framesReceived += chunk.split('\n\n').length - 1));
        });
        request.on('error', () => undefined);
        streams.push(request);
      }
      const healthMs: number[] = [];
      const started = performance.now();
      while (performance.now() - started < 10_000) {
        const requestStarted = performance.now();
        await (await fetch(`${serve.baseUrl}/api/health`)).arrayBuffer();
        healthMs.push(performance.now() - requestStarted);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const request of streams) request.destroy();
      agent.destroy();
      await waitFor(running.id);
      const healthP99 = quantile(healthMs, 0.99);

      const rows: ApiBenchResult['rows'] = [
        ...loads.map(({ name, result }) => ({
          benchmark: 'HTTP load',
          figure: `${name}, ${connections} connections`,
          value: `${formatInteger(result.requests.average)} req/s (p99 ${result.latency.p99} ms)`,
          goal: 'side by side with the floor',
          verdict: 'info' as const,
        })),
        {
          benchmark: 'HTTP load',
          figure: `GET /api/health p99 while ${streamClients} live-event clients follow a running job`,
          value: `${formatDecimal(healthP99, 1)} ms (${healthMs.length} requests)`,
          goal: `≤ ${healthGoalP99Ms} ms`,
          verdict: healthP99 <= healthGoalP99Ms ? 'met' : 'missed',
        },
      ];
      const section = [
        '## 7. HTTP load',
        '### Method',
        [
          `- **Server:** the real \`imagefleet serve\` on loopback with a ${formatInteger(imageCount)}-image local job completed first (its group is the gallery).`,
          `- **Load:** autocannon, ${connections} connections, ${durationSeconds} s per route, one route after the other; \`/livez\` is the floor (answered by the custom server before Next.js).`,
          `- **Live events:** ${streamClients} clients open \`GET /api/events?job=\` on a second ${formatInteger(imageCount)}-image job as it starts (each replays the job's history, then follows it) while \`/api/health\` is requested every 20 ms for 10 s; ${formatInteger(framesReceived)} frames reached the clients.`,
        ].join('\n'),
        '### Figures',
        table(
          ['route', 'requests/s', 'p50', 'p99', 'max', 'non-2xx'],
          loads.map(({ name, result }) => [name, formatInteger(result.requests.average), `${result.latency.p50} ms`, `${result.latency.p99} ms`, `${result.latency.max} ms`, String(result.non2xx)]),
        ),
        table(['health with live-event clients', 'p50', 'p99', 'max'], [[`${streamClients} clients`, `${formatDecimal(quantile(healthMs, 0.5), 1)} ms`, `**${formatDecimal(healthP99, 1)} ms**`, `${formatDecimal(Math.max(...healthMs), 1)} ms`]]),
        `Goal p99 ≤ ${healthGoalP99Ms} ms: ${healthP99 <= healthGoalP99Ms ? 'met' : '**missed**'}.`,
      ].join('\n\n');
      await reportApiBenchResult({ scenario: 'http-load', rows, section });
    } finally {
      await serve.stop();
    }
  } finally {
    await work.remove();
  }
}

await main();
