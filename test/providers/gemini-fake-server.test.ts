/**
 * The fake Gemini server itself, as benchmarks and other tests use it directly: quotas per project
 * or per key, seeded failure injection, and the Files API round trip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGeminiServer, type FakeGeminiServer, type FakeGeminiServerOptions } from '../fakes/gemini/fake-gemini-server.js';

const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1', imageSize: '512' } } });

describe('fake Gemini server', () => {
  let fake: FakeGeminiServer | undefined;
  afterEach(() => fake?.close());

  const start = async (options: FakeGeminiServerOptions): Promise<FakeGeminiServer> => (fake = await startFakeGeminiServer(options));
  const generate = (server: FakeGeminiServer, apiKey: string): Promise<number> =>
    fetch(`${server.baseUrl}/v1beta/models/gemini-3.1-flash-image:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey }, body }).then(
      (response) => response.status,
    );

  it('counts the quota per project by default, and per key when asked', async () => {
    const project = await start({ quota: { requestsPerWindow: 2 } });
    expect([await generate(project, 'a'), await generate(project, 'b'), await generate(project, 'a')]).toEqual([200, 200, 429]);
    await project.close();
    const perKey = await start({ quota: { requestsPerWindow: 2, scope: 'key' } });
    expect([await generate(perKey, 'a'), await generate(perKey, 'b'), await generate(perKey, 'a'), await generate(perKey, 'a')]).toEqual([200, 200, 200, 429]);
  });

  it('injects the same 503s for the same seed', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const server = await startFakeGeminiServer({ unavailableRate: 0.3, seed });
      try {
        const result: number[] = [];
        for (let index = 0; index < 20; index += 1) result.push(await generate(server, 'k'));
        return result;
      } finally {
        await server.close();
      }
    };
    const first = await statuses(42);
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await statuses(42)).toEqual(first);
  });

  it('takes a resumable upload and serves the file back, and refuses keys it does not know', async () => {
    const server = await start({ apiKeys: ['good'] });
    const started = await fetch(`${server.baseUrl}/upload/v1beta/files`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'good', 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start', 'x-goog-upload-header-content-type': 'text/plain' },
      body: JSON.stringify({ file: { displayName: 'notes' } }),
    });
    const uploadUrl = started.headers.get('x-goog-upload-url') ?? '';
    const finished = await fetch(uploadUrl, { method: 'POST', headers: { 'x-goog-api-key': 'good', 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' }, body: 'hello' });
    expect(finished.headers.get('x-goog-upload-status')).toBe('final');
    const { file } = (await finished.json()) as { file: { name: string; mimeType: string } };
    expect(file.mimeType).toBe('text/plain');
    const downloaded = await fetch(`${server.baseUrl}/v1beta/${file.name}:download?alt=media`, { headers: { 'x-goog-api-key': 'good' } });
    expect(await downloaded.text()).toBe('hello');
    expect(await generate(server, 'bad')).toBe(403);
  });
});
