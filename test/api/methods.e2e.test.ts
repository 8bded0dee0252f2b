/**
 * Every method on every API route, through the real server (issue 14, item 4): a method a route
 * does not serve gets 405 with `Allow` and the JSON error body (TRACE included, which Next would
 * answer with a 500 text), OPTIONS gets 204 with `Allow`, and an unknown `/api` path gets the JSON
 * 404 whatever the method.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedMethods, methodTableAnswer } from '../../src/server/method-table.js';
import { apiOperations } from '../../src/server/openapi.js';
import { errorBodySchema } from '../../src/server/schemas/common.js';
import { startServedApi, type ServedApi } from './served-api.js';

const probeMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

/** One raw request (fetch refuses TRACE): status, headers, body text. */
function rawRequest(base: string, method: string, pathname: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${pathname}`, { method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A concrete path for a documented one (ids that match no resource). */
const concrete = (routePath: string) => routePath.replace(/\{sha256\}/, 'a'.repeat(64)).replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

describe('method table', () => {
  it('derives Allow from the documented operations', () => {
    expect(allowedMethods('/api/groups')).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    expect(allowedMethods('/api/groups/abc')).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH']);
    expect(allowedMethods('/api/nope')).toBeUndefined();
    expect(methodTableAnswer('GET', '/api/groups')).toBeUndefined();
    expect(methodTableAnswer('TRACE', '/studio')).toBeUndefined();
  });
});

describe('methods through imagefleet serve', () => {
  let served: ServedApi;
  beforeAll(async () => {
    served = await startServedApi();
  });
  afterAll(async () => served?.stop());

  const routePaths = [...new Set(apiOperations.map((operation) => operation.path))];

  it('answers a method no route serves with 405, Allow and the error body, for every route', async () => {
    for (const routePath of routePaths) {
      const allowed = allowedMethods(routePath)!;
      for (const method of probeMethods.filter((candidate) => !allowed.includes(candidate))) {
        const answer = await rawRequest(served.base, method, concrete(routePath));
        expect({ routePath, method, status: answer.status }).toEqual({ routePath, method, status: 405 });
        expect(answer.headers.allow).toBe(allowed.join(', '));
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        if (method === 'HEAD') continue;
        expect(errorBodySchema.parse(JSON.parse(answer.body)).error.code).toBe('method_not_allowed');
      }
    }
  });

  it('answers OPTIONS with 204 and Allow, and unknown paths with the JSON 404 for every method', async () => {
    const options = await rawRequest(served.base, 'OPTIONS', '/api/jobs/submit');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('OPTIONS, POST');
    for (const method of probeMethods) {
      const answer = await rawRequest(served.base, method, '/api/no/such/route');
      expect({ method, status: answer.status }).toEqual({ method, status: 404 });
      if (method === 'HEAD') continue;
      expect(errorBodySchema.parse(JSON.parse(answer.body)).error.code).toBe('not_found');
    }
    expect((await fetch(`${served.base}/api/health`)).status).toBe(200);
  });
});
