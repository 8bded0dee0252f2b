/**
 * `POST /api/uploads` as `imagefleet serve` answers it, before Next.js (decision 0047): the same
 * checks and answers as the route — token, same origin, query, form — read from the Node request.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, pngBytes } from './api-harness.js';
import { startServedApi, type ServedApi } from './served-api.js';

const token = 'served-uploads-token-0123456789';

describe('POST /api/uploads through imagefleet serve', () => {
  let served: ServedApi;
  beforeAll(async () => {
    served = await startServedApi({ IMAGEFLEET_API_TOKEN: token });
  });
  afterAll(async () => served?.stop());

  const form = async (hue: number) => {
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(await pngBytes(hue))]), `served-${hue}.png`);
    return body;
  };
  const post = async (body: BodyInit, headers: Record<string, string> = {}, query = '') =>
    fetch(`${served.base}/api/uploads${query}`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, ...headers } });

  it('stores with the token (201, then 200 for the same bytes) with the API headers', async () => {
    const created = await post(await form(11));
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('x-content-type-options')).toBe('nosniff');
    expect(created.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const asset = (await created.json()) as { id: string; name: string };
    expect(asset.name).toBe('served-11.png');
    const again = await post(await form(11));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(asset.id);
  });

  it('refuses without the token, from another origin, with an unknown query parameter and without a file — storing nothing', async () => {
    const before = (await fetch(`${served.base}/api/uploads`, { headers: { authorization: `Bearer ${token}` } }).then((response) => response.json())) as { items: unknown[] };
    const anonymous = await fetch(`${served.base}/api/uploads`, { method: 'POST', body: await form(12) });
    await expectError(anonymous, 401, 'unauthorized');
    await expectError(await post(await form(13), { origin: 'http://elsewhere.example' }), 403, 'forbidden');
    await expectError(await post(await form(14), {}, '?overwrite=1'), 400, 'invalid_input');
    const noFile = new FormData();
    noFile.append('note', 'no file here');
    await expectError(await post(noFile), 400, 'invalid_input', ['file']);
    await expectError(await post('', { 'content-type': 'multipart/form-data; boundary=x' }), 400, 'invalid_input', ['file']);
    await expectError(await post('plain text', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    const after = (await fetch(`${served.base}/api/uploads`, { headers: { authorization: `Bearer ${token}` } }).then((response) => response.json())) as { items: unknown[] };
    expect(after.items.length).toBe(before.items.length);
    expect(await readdir(path.join(served.dataDir, 'tmp', 'uploads')).catch(() => [])).toEqual([]);
  });
});
