/**
 * Property-based requests to every operation of the real `imagefleet serve`, generated from its
 * own OpenAPI document (issue 14): valid requests (from the documented schemas) and invalid ones
 * (unknown parameters, wrong types, malformed bodies, odd ids). For every answer: no 5xx, the
 * status, content type and body documented, 4xx bodies in the error shape, valid requests never
 * refused as invalid (400), and the server healthy afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/server/openapi.js';
import { responseProblems } from './openapi-response-check.js';
import { schemaArbitrary, type JsonSchema } from './schema-arbitraries.js';
import { startServedApi, type ServedApi } from './served-api.js';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
const document = buildOpenApiDocument('0.0.0-test', { tokenRequired: false }) as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
};
const components = document.components.schemas;

interface GeneratedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Runs per operation and kind; small, as the machine is shared — the seed changes every run. */
const runsPerOperation = 12;

/** Operations whose valid requests are not sent: an event stream stays open; uploads need real image bytes (their own tests send them). */
const noValidRequests = new Set(['GET /api/events', 'POST /api/uploads', 'POST /api/uploads/zip']);

/**
 * Query parameters valid requests leave out, because OpenAPI cannot say what makes them valid: a
 * cursor is opaque (only the previous page's nextCursor is one), and a group's deletion takes
 * `images=move` only together with `to`.
 */
const skippedInValidRequests: Record<string, readonly string[]> = { all: ['cursor'], 'DELETE /api/groups/{id}': ['images', 'to'] };

/**
 * Operations whose valid requests may still be refused with 400: a job's validity depends on the
 * providers and models this server has and what they can do, which the document does not list;
 * a webhook URL is also checked against the SSRF policy (no private, loopback or internal hosts)
 * and a secret's decoded length, which no pattern in the document can say.
 */
const refusalsAllowed = new Set(['POST /api/jobs/submit', 'POST /api/webhooks/test']);

/** Rules across fields that OpenAPI cannot state; generated valid bodies keep them. */
const validBodyRules: Record<string, (body: unknown) => boolean> = {
  // A queue change names each job once across first, last, reset and priorities.
  'PATCH /api/queue': (body) => {
    const change = body as { first?: string[]; last?: string[]; reset?: string[]; priorities?: Array<{ id: string }> };
    const ids = [...(change.first ?? []), ...(change.last ?? []), ...(change.reset ?? []), ...(change.priorities ?? []).map((entry) => entry.id)];
    return new Set(ids).size === ids.length;
  },
};

const operations = Object.entries(document.paths).flatMap(([routePath, item]) => Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), routePath, operation })));

describe('every operation, valid and invalid requests, through imagefleet serve', () => {
  let served: ServedApi;
  let knownIds: string[] = [];

  beforeAll(async () => {
    served = await startServedApi();
    const group = (await (await fetch(`${served.base}/api/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Properties' }) })).json()) as { id: string };
    knownIds = [group.id];
  });
  afterAll(async () => served?.stop());

  const send = async (request: GeneratedRequest) => {
    const response = await fetch(`${served.base}${request.path}`, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const problems = await responseProblems(request.method, `${served.base}${request.path}`, response);
    const contentType = response.headers.get('content-type') ?? '';
    let text = '';
    if (contentType.startsWith('application/json')) text = await response.text();
    // An event stream does not end: its headers are the answer.
    else if (contentType.startsWith('text/event-stream')) await response.body?.cancel();
    else await response.arrayBuffer();
    return { status: response.status, problems, text, contentType };
  };

  const pathArbitrary = (routePath: string, parameters: Parameter[], valid: boolean): fc.Arbitrary<string> => {
    const names = [...routePath.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    if (names.length === 0) return fc.constant(routePath);
    const values = names.map((name) => {
      const schema = parameters.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema ?? { type: 'string' };
      const documented = schemaArbitrary(schema, components) as fc.Arbitrary<string>;
      if (!valid) return fc.oneof(fc.constantFrom('%00', 'a b', '-x', '%E2%80%AE', 'x'.repeat(300)), documented);
      return name === 'sha256' ? documented : fc.oneof(fc.constantFrom(...knownIds), documented);
    });
    return fc.tuple(...values).map((chosen) => names.reduce((text, name, index) => text.replace(`{${name}}`, encodeURIComponent(String(chosen[index]))), routePath));
  };

  const queryArbitrary = (parameters: Parameter[], skipped: readonly string[]): fc.Arbitrary<Array<[string, string]>> =>
    fc
      .tuple(
        ...parameters
          .filter((parameter) => parameter.in === 'query' && !skipped.includes(parameter.name))
          .map((parameter) => {
            const value = schemaArbitrary(parameter.schema, components).map((generated): [string, string] => [parameter.name, String(generated)]);
            return parameter.required ? value.map((entry) => [entry]) : fc.option(value, { nil: undefined }).map((entry) => (entry ? [entry] : []));
          }),
      )
      .map((lists) => lists.flat());

  const validRequest = (method: string, routePath: string, operation: Operation): fc.Arbitrary<GeneratedRequest> => {
    const parameters = operation.parameters ?? [];
    const jsonSchema = operation.requestBody?.content['application/json']?.schema;
    return fc.record({ path: pathArbitrary(routePath, parameters, true), query: queryArbitrary(parameters, [...(skippedInValidRequests.all ?? []), ...(skippedInValidRequests[`${method} ${routePath}`] ?? [])]), body: jsonSchema ? schemaArbitrary(jsonSchema, components).filter(validBodyRules[`${method} ${routePath}`] ?? (() => true)) : fc.constant(undefined) }).map(({ path, query, body }): GeneratedRequest => ({
      method,
      path: query.length > 0 ? `${path}?${new URLSearchParams(query).toString()}` : path,
      headers: body === undefined ? {} : ({ 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    }));
  };

  const invalidRequest = (method: string, routePath: string, operation: Operation): fc.Arbitrary<GeneratedRequest> => {
    const parameters = operation.parameters ?? [];
    const hasBody = operation.requestBody !== undefined;
    const brokenQuery = fc.oneof(
      fc.constant<Array<[string, string]>>([['zz_unknown', '1']]),
      fc.tuple(fc.constantFrom(...(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name).concat(['limit']))), fc.constantFrom('-1', '0', 'abc', '1e9', '', '%', '[]')).map((entry): Array<[string, string]> => [entry]),
    );
    const brokenBody = fc.oneof(
      fc.constant({ text: '{"unterminated": ', type: 'application/json' }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => ({ text: JSON.stringify(value), type: 'application/json' })),
      fc.constant({ text: 'name=x', type: 'text/plain' }),
      fc.constant({ text: JSON.stringify({ zz_unknown: true }), type: 'application/json' }),
    );
    return fc.record({ path: pathArbitrary(routePath, parameters, false), query: brokenQuery, body: hasBody ? brokenBody : fc.constant(undefined), breakPath: fc.boolean() }).map(({ path, query, body, breakPath }): GeneratedRequest => ({
      method,
      path: `${breakPath ? path : validPathOf(routePath)}?${query.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&')}`,
      headers: body ? ({ 'content-type': body.type }) : {},
      body: body?.text,
    }));
  };
  const validPathOf = (routePath: string) => routePath.replace(/\{sha256\}/, 'a'.repeat(64)).replace(/\{[^}]+\}/g, knownIds[0] ?? 'x');

  it.each(operations.map(({ method, routePath, operation }) => [`${method} ${routePath}`, method, routePath, operation] as const))('%s', async (name, method, routePath, operation) => {
    const checkAnswer = async (request: GeneratedRequest, valid: boolean) => {
      const answer = await send(request);
      const label = `${request.method} ${request.path} ${request.body?.slice(0, 200) ?? ''} → ${answer.status} ${answer.text.slice(0, 300)}`;
      expect(answer.status, label).toBeLessThan(500);
      expect(answer.problems, label).toEqual([]);
      if (valid && !refusalsAllowed.has(name)) expect(answer.status, `a valid request was refused: ${label}`).not.toBe(400);
    };
    if (!noValidRequests.has(name)) {
      await fc.assert(fc.asyncProperty(validRequest(method, routePath, operation), (request) => checkAnswer(request, true)), { numRuns: runsPerOperation, endOnFailure: true });
    }
    await fc.assert(fc.asyncProperty(invalidRequest(method, routePath, operation), (request) => checkAnswer(request, false)), { numRuns: runsPerOperation, endOnFailure: true });
  });

  it('is healthy afterwards', async () => {
    expect((await fetch(`${served.base}/api/health`)).status).toBe(200);
    expect(served.server.child.exitCode).toBeNull();
  });
});
