/**
 * Benchmark: `GET /api/jobs/{id}/status` on a 100,000-task job through the real `imagefleet serve`
 * — p95 latency over loopback (goal ≤ 20 ms). The job is submitted through the API, paused, and its
 * tasks given a realistic mix of states (completed in the last minutes, failed with errors, queued).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { quantile, reportApiBenchResult, startServe, table, type ApiBenchResult } from './support/api-bench.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

const taskCount = 100_000;
const warmupRequests = 50;
const measuredRequests = 1_000;
const goalP95Ms = 20;

async function main(): Promise<void> {
  const work = await makeTempDataDir('status');
  const dataDir = path.join(work.directory, 'data');
  try {
    const serve = await startServe(dataDir, { IMAGEFLEET_LOCAL_CONCURRENCY: '1' });
    try {
      const items = Array.from({ length: taskCount / 1000 }, (_value, index) => ({ prompt: `status benchmark prompt ${index}`, count: 1000 }));
      const submitStarted = performance.now();
      const submitted = await fetch(`${serve.baseUrl}/api/jobs/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, priority: 'bulk', items }),
      });
      const job = (await submitted.json()) as { id: string; plan: { tasks: number } };
      const submitMs = performance.now() - submitStarted;
      if (submitted.status !== 201 || job.plan.tasks !== taskCount) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(job).slice(0, 300)}`);
      await fetch(`${serve.baseUrl}/api/jobs/${job.id}/pause`, { method: 'POST' });

      // A realistic mix: 40% completed over the last five minutes, some failed and blocked with reasons.
      const database = new Database(path.join(dataDir, 'imagefleet.db'));
      database.pragma('busy_timeout = 10000');
      const nowMs = Date.now();
      database
        .prepare(`UPDATE tasks SET status = 'completed', finished_at_ms = ? - (ordinal % 300000) WHERE job_id = ? AND ordinal < ? AND status = 'queued'`)
        .run(nowMs, job.id, taskCount * 0.4);
      database
        .prepare(`UPDATE tasks SET status = 'failed', finished_at_ms = ?, last_error_code = 'provider_invalid', last_error_message = 'The provider refused the request: ' || (ordinal % 7) WHERE job_id = ? AND ordinal BETWEEN ? AND ?`)
        .run(nowMs, job.id, taskCount * 0.4, taskCount * 0.4 + 499);
      database
        .prepare(`UPDATE tasks SET status = 'blocked', finished_at_ms = ?, last_error_code = 'provider_blocked', last_error_message = 'Safety filter' WHERE job_id = ? AND ordinal BETWEEN ? AND ?`)
        .run(nowMs, job.id, taskCount * 0.4 + 500, taskCount * 0.4 + 699);
      database.prepare(`UPDATE tasks SET last_error_code = 'provider_rate_limited', last_error_message = 'Too many requests' WHERE job_id = ? AND status = 'queued' AND ordinal % 97 = 0`).run(job.id);
      database.close();

      const url = `${serve.baseUrl}/api/jobs/${job.id}/status`;
      let sample: Record<string, unknown> = {};
      for (let index = 0; index < warmupRequests; index += 1) sample = (await (await fetch(url)).json()) as Record<string, unknown>;
      const latencies: number[] = [];
      for (let index = 0; index < measuredRequests; index += 1) {
        const started = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`status answered ${response.status}`);
      }
      const p50 = quantile(latencies, 0.5);
      const p95 = quantile(latencies, 0.95);
      const p99 = quantile(latencies, 0.99);
      const counts = sample.counts as Record<string, number>;
      const rows: ApiBenchResult['rows'] = [
        { benchmark: 'Job status', figure: `GET /api/jobs/{id}/status, ${formatInteger(taskCount)}-task job, p95 of ${formatInteger(measuredRequests)}`, value: `${formatDecimal(p95, 1)} ms (p50 ${formatDecimal(p50, 1)})`, goal: `≤ ${goalP95Ms} ms`, verdict: p95 <= goalP95Ms ? 'met' : 'missed' },
      ];
      const section = [
        '## 6. Job status latency',
        '### Method',
        [
          `- **Job:** submitted through \`POST /api/jobs/submit\` to the real \`imagefleet serve\` (a studio job of ${formatInteger(taskCount)} one-image tasks; the submit took ${formatInteger(submitMs)} ms including validation, planning and the insert), paused at once so the engine leaves it alone, then given a mix of states by direct SQL: ${formatInteger(counts.completed ?? 0)} completed over the last five minutes, ${formatInteger(counts.failed ?? 0)} failed and ${formatInteger(counts.blocked ?? 0)} blocked with reasons, the rest queued (1 in 97 carrying a retry error).`,
          `- **Requests:** ${warmupRequests} untimed, then ${formatInteger(measuredRequests)} sequential \`GET /api/jobs/{id}/status\` over loopback with \`fetch\`, each timed from the request to the last byte of the answer. The status report reads image counts per state, recent completions and the top error reasons from covering indexes (migration 0002).`,
        ].join('\n'),
        '### Figures',
        table(['p50', 'p95', 'p99', 'max'], [[`${formatDecimal(p50, 1)} ms`, `**${formatDecimal(p95, 1)} ms**`, `${formatDecimal(p99, 1)} ms`, `${formatDecimal(Math.max(...latencies), 1)} ms`]]),
        `Goal p95 ≤ ${goalP95Ms} ms: ${p95 <= goalP95Ms ? 'met' : '**missed**'}. The figure includes Next.js's routing of the request, the token and origin checks, the three queries and the JSON answer.`,
      ].join('\n\n');
      await reportApiBenchResult({ scenario: 'status-latency', rows, section });
    } finally {
      await serve.stop();
    }
  } finally {
    await work.remove();
  }
}

await main();
