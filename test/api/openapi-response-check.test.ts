/** The response checker the API tests run every answer through finds what it must. */
import { describe, expect, it } from 'vitest';
import { responseProblems } from './openapi-response-check.js';

const json = (status: number, body: unknown, contentType = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
const errorBody = { error: { code: 'not_found', message: 'No group with id x.' } };

describe('responseProblems', () => {
  it('accepts documented answers', async () => {
    expect(await responseProblems('GET', 'http://h/api/groups/abc', json(404, errorBody))).toEqual([]);
    expect(await responseProblems('GET', 'http://h/api/no/such/route', json(404, errorBody))).toEqual([]);
  });

  it('finds an undocumented status, content type or body shape', async () => {
    expect(await responseProblems('GET', 'http://h/api/groups/abc', json(418, errorBody))).toEqual([expect.stringContaining('status not documented')]);
    expect(await responseProblems('GET', 'http://h/api/groups/abc', new Response('oops', { status: 404, headers: { 'content-type': 'text/plain' } }))).toEqual([expect.stringContaining('content type "text/plain" not documented')]);
    expect(await responseProblems('GET', 'http://h/api/groups/abc', json(200, { id: 'abc' }))).toEqual([expect.stringContaining('does not match the documented schema')]);
    expect(await responseProblems('TRACE', 'http://h/api/groups', new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain' } }))).toEqual([
      expect.stringContaining('not a JSON 401/404/405'),
    ]);
  });
});
