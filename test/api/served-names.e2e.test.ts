/**
 * Non-ASCII names through the real `imagefleet serve` (issue 14, items 1 and 2): the ZIP of a group
 * named with Latin-1 letters downloads over Node's HTTP server (it was a 500 with the archive's
 * length and a 21-byte text), and a multipart upload name sent as UTF-8 is kept.
 */
import contentDisposition from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngBytes } from './api-harness.js';
import { startServedApi, type ServedApi } from './served-api.js';

describe('non-ASCII names through imagefleet serve', () => {
  let served: ServedApi;
  beforeAll(async () => {
    served = await startServedApi();
  });
  afterAll(async () => served?.stop());

  it('downloads a group named Café Ëlïse with its exact length and name', async () => {
    const created = await fetch(`${served.base}/api/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Café Ëlïse' }) });
    const group = (await created.json()) as { id: string };
    const response = await fetch(`${served.base}/api/download/${group.id}`);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(Number(response.headers.get('content-length')));
    expect(contentDisposition.parse(response.headers.get('content-disposition')!).parameters.filename).toBe('Café Ëlïse.zip');
  });

  it('keeps a UTF-8 upload name', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await pngBytes(77))]), 'café ✨.png');
    const uploaded = (await (await fetch(`${served.base}/api/uploads`, { method: 'POST', body: form })).json()) as { name: string };
    expect(uploaded.name).toBe('café ✨.png');
  });
});
