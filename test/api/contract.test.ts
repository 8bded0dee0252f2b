import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImagefleetError, errorCodes } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { errorResponse, httpStatusByErrorCode } from '../../src/server/http-errors.js';
import { handleJobResults, handleJobStatus, handleSubmitJob } from '../../src/server/job-handlers.js';
import { apiOperations, buildOpenApiDocument } from '../../src/server/openapi.js';
import { handleGetQueue } from '../../src/server/queue-handlers.js';
import { errorBodySchema } from '../../src/server/schemas/common.js';
import { dryRunResponseSchema, jobStatusSchema, resultsResponseSchema, submitResponseSchema } from '../../src/server/schemas/jobs.js';
import { queueResponseSchema } from '../../src/server/schemas/queue.js';
import { apiRequest, call, completedJob, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

const appApi = fileURLToPath(new URL('../../src/app/api', import.meta.url));
const apiDoc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

/** `METHOD /api/path` of every route file (and the docs page), from the file system. */
function servedOperations(): string[] {
  const operations: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const full = path.join(directory, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const routePath = `/api/${path.relative(appApi, directory).split(path.sep).join('/')}`.replace(/\/$/, '').replace(/\[([^\].]+)\]/g, '{$1}');
      if (routePath.includes('[...')) continue;
      if (name === 'page.tsx') operations.push(`GET ${routePath}`);
      if (name !== 'route.ts') continue;
      const source = readFileSync(full, 'utf8');
      for (const match of source.matchAll(/export (?:async )?(?:function|const) (GET|POST|PUT|PATCH|DELETE)\b/g)) operations.push(`${match[1]} ${routePath}`);
    }
  };
  walk(appApi);
  return operations.sort();
}

describe('API contract', () => {
  it('documents every served route in the OpenAPI document and docs/api.md, and nothing else', () => {
    const documented = apiOperations.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`).sort();
    expect(documented).toEqual(servedOperations());
    for (const operation of documented) expect(apiDoc).toContain(`### \`${operation}\``);
    const document = buildOpenApiDocument('test') as unknown as { paths: Record<string, Record<string, unknown>> };
    expect(Object.entries(document.paths).flatMap(([routePath, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${routePath}`)).sort()).toEqual(documented);
  });

  it('maps every error code to one status, with the documented body', async () => {
    for (const code of errorCodes) expect([400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503]).toContain(httpStatusByErrorCode[code]);
    const limited = errorResponse(new ImagefleetError('provider_rate_limited', 'Slow down.', { retryAfterMs: 1500 }), silentLogger, 'r1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(errorBodySchema.parse(await limited.json())).toEqual({ error: { code: 'provider_rate_limited', message: 'Slow down.', details: { retryAfterSeconds: 2 } } });
  });

  it('answers unknown errors with 500 and no detail, logging the detail', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = { ...silentLogger, error: (fields: Record<string, unknown>) => logged.push(fields) };
    for (const error of [new Error('ENOENT /srv/secret/path key=AIzaSyLEAK'), new ImagefleetError('internal', 'invariant broken at /srv/secret'), 'a string']) {
      const response = errorResponse(error, logger, 'req-7');
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain('secret');
      expect(text).not.toContain('AIza');
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'An unexpected error occurred; the server log has the details (request req-7).' } });
    }
    expect(logged).toHaveLength(3);
    expect(logged[0]?.requestId).toBe('req-7');
    expect(logged[0]?.err).toBeInstanceOf(Error);
  });

  it('answers 503 when no engine runs in the process', async () => {
    const response = await call(handleGetQueue, apiRequest('/api/queue'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');
  });

  describe('response shapes', () => {
    let harness: ApiHarness;
    beforeEach(async () => {
      harness = await openApiHarness();
    });
    afterEach(async () => harness.close());

    it('match the published schemas exactly', async () => {
      const { jobId } = await completedJob(harness, { count: 1 });
      const status = await expectJson(await call(handleJobStatus, apiRequest(`/api/jobs/${jobId}/status`), { id: jobId }), 200);
      expect(jobStatusSchema.strict().parse(status)).toEqual(status);
      const results = await expectJson(await call(handleJobResults, apiRequest(`/api/jobs/${jobId}/results`), { id: jobId }), 200);
      expect(resultsResponseSchema.parse(results)).toEqual(results);
      const submitted = await expectJson(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', items: [{ prompt: 'x' }] } })), 201);
      expect(submitResponseSchema.strict().parse(submitted)).toEqual(submitted);
      const dryRun = await expectJson(await call(handleSubmitJob, apiRequest('/api/jobs/submit?dryRun=1', { json: { mode: 'studio', provider: 'local', items: [{ prompt: 'x' }] } })), 200);
      expect(dryRunResponseSchema.strict().parse(dryRun)).toEqual(dryRun);
      const queue = await expectJson(await call(handleGetQueue, apiRequest('/api/queue')), 200);
      expect(queueResponseSchema.parse(queue)).toEqual(queue);
      for (const key of ['id', 'groupId', 'status', 'counts', 'progress', 'ratePerMinute', 'etaSeconds', 'cost', 'errors']) expect(status).toHaveProperty(key);
      expect(Object.keys((results as { items: Array<Record<string, unknown>> }).items[0]!)).toEqual(
        expect.arrayContaining(['id', 'url', 'thumbUrl', 'prompt', 'seed', 'width', 'height', 'referenceIds', 'favorite', 'createdAt']),
      );
    });
  });
});
