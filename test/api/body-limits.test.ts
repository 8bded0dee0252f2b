/**
 * JSON bodies are bounded before they are parsed: the public sign-in route takes a few kilobytes,
 * and no route parses a body that nests deeper than `maxJsonNestingDepth` (issue 21: four 6 MB
 * nested bodies to the sign-in route used to stall the server and keep 500 MB).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleCreateGroup } from '../../src/server/group-handlers.js';
import { jsonNestsDeeperThan, maxJsonNestingDepth } from '../../src/server/json-nesting.js';
import { handleSignIn } from '../../src/server/session-handlers.js';
import { apiRequest, call, expectError, openApiHarness, type ApiHarness } from './api-harness.js';

let harness: ApiHarness;

beforeEach(async () => {
  harness = await openApiHarness({ IMAGEFLEET_API_TOKEN: 'test-token-0123456789abcdef' });
});

afterEach(async () => {
  await harness.close();
});

function nested(depth: number): string {
  return `{"token":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('JSON body limits', () => {
  it('refuses 6 MB nested bodies on the public sign-in route with 413, memory bounded', async () => {
    const body = nested(3 * 1024 * 1024);
    const before = process.memoryUsage().heapUsed;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: body })), 413, 'payload_too_large');
    }
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(80 * 1024 * 1024);
  });

  it('refuses a body nesting deeper than the limit before parsing it', async () => {
    const response = await call(handleCreateGroup, apiRequest('/api/groups', { json: `{"name":"x","extra":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, headers: { authorization: 'Bearer test-token-0123456789abcdef' } }));
    const body = await expectError(response, 400, 'invalid_input');
    expect(body.error.message).toContain('nested too deeply');
  });

  it('still takes ordinary bodies', async () => {
    const response = await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'ordinary' }, headers: { authorization: 'Bearer test-token-0123456789abcdef' } }));
    expect(response.status).toBe(201);
  });

  it('measures depth outside strings only', () => {
    expect(jsonNestsDeeperThan(`{"a":"${'['.repeat(1000)}"}`, maxJsonNestingDepth)).toBe(false);
    expect(jsonNestsDeeperThan(`{"a":"\\"${'['.repeat(1000)}"}`, maxJsonNestingDepth)).toBe(false);
    expect(jsonNestsDeeperThan('['.repeat(maxJsonNestingDepth) + ']'.repeat(maxJsonNestingDepth), maxJsonNestingDepth)).toBe(false);
    expect(jsonNestsDeeperThan('['.repeat(maxJsonNestingDepth + 1), maxJsonNestingDepth)).toBe(true);
  });
});
