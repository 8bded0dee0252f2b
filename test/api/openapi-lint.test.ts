/**
 * The OpenAPI document as outside tools judge it (issue 14, item 5): Redocly's and Spectral's
 * recommended rules, the document's own examples accepted by the schemas the server validates
 * with, and the facts the server enforces written into the document.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import spectralCore from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import spectralRulesets from '@stoplight/spectral-rulesets';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiOperations, buildOpenApiDocument } from '../../src/server/openapi.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
  responses: Record<string, unknown>;
}
interface Document {
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const text = JSON.stringify(buildOpenApiDocument('0.0.0-test'));
const document = JSON.parse(text) as Document;
const operations = Object.entries(document.paths).flatMap(([routePath, item]) => Object.entries(item).map(([method, operation]) => ({ routePath, method, operation })));

describe('OpenAPI document', () => {
  it('passes Redocly’s recommended rules: no errors, and only the known warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    expect(problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    // The HTML documentation page has no failure to document.
    expect(problems.map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer ?? ''}`)).toEqual(['operation-4xx-response #/paths/~1api~1docs/get/responses']);
  });

  it('passes Spectral’s recommended OpenAPI rules with nothing to report', async () => {
    const spectral = new spectralCore.Spectral();
    spectral.setRuleset({ extends: [[spectralRulesets.oas, 'recommended']] } as never);
    const results = await spectral.run(new spectralCore.Document(text, spectralParsers.Json, 'openapi.json'));
    expect(results.map((result) => `${result.code} ${result.path.join('.')}: ${result.message}`)).toEqual([]);
  });

  it('has an operationId and declared tags on every operation', () => {
    const declared = new Set(document.tags.map((tag) => tag.name));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(apiOperations.length);
    for (const { operation } of operations) for (const tag of operation.tags ?? []) expect(declared).toContain(tag);
  });

  it('accepts its own examples with the schemas the server validates with', () => {
    const registry = z.globalRegistry as unknown as { _idmap: Map<string, z.ZodType> };
    let checked = 0;
    for (const [id, schema] of registry._idmap) {
      const example = (z.globalRegistry.get(schema) as { example?: unknown } | undefined)?.example;
      if (example === undefined) continue;
      const result = schema.safeParse(example);
      expect({ id, issues: result.success ? [] : result.error.issues }).toEqual({ id, issues: [] });
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('says what the server enforces: paging ranges, id patterns, one field at least, group names, security, 429 on sign-in', () => {
    const operation = (method: string, routePath: string) => document.paths[routePath]![method]!;
    const limit = operation('get', '/api/uploads').parameters!.find((parameter) => parameter.name === 'limit')!;
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1 });
    expect(limit.schema.maximum).toBeTypeOf('number');
    expect(operation('get', '/api/download/{groupId}').parameters!.find((parameter) => parameter.name === 'ids')!.schema.pattern).toBeTypeOf('string');
    const schemas = document.components.schemas;
    expect(schemas.ImageChange).toMatchObject({ minProperties: 1 });
    expect(schemas.QueueChange).toMatchObject({ minProperties: 1 });
    expect(JSON.stringify(schemas.QueueChange)).toContain('"pattern"');
    expect(JSON.stringify(schemas.GroupCreate)).toContain('"pattern"');
    expect(operation('get', '/api/references/{sha256}').security).toEqual([]);
    expect(operation('get', '/api/jobs').security).toEqual([{ bearer: [] }]);
    expect(operation('post', '/api/session').responses).toHaveProperty('429');
    const tokenless = buildOpenApiDocument('0.0.0-test', { tokenRequired: false }) as unknown as Document;
    expect(tokenless.paths['/api/jobs']!.get!.security).toEqual([]);
  });
});
