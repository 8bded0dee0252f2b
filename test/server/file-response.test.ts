/** fileResponse over the blob port: the headers and bytes a stored image is served with. */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileResponse } from '../../src/server/file-response.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

let cleanup: () => Promise<void>;
let blobs: FileBlobStore;

beforeEach(async () => {
  const temporary = await makeTempDir('imagefleet-file-response-');
  cleanup = temporary.cleanup;
  blobs = new FileBlobStore(path.join(temporary.directory, 'blobs'));
});
afterEach(async () => {
  await cleanup();
});

const options = { contentType: 'image/png', fileName: 'shoe.png' };

describe('fileResponse', () => {
  it('streams the blob with its exact length and a weak ETag of size and time', async () => {
    await blobs.put('outputs/j/t-0.png', Buffer.from('png bytes'), { contentType: 'image/png' });
    const stats = await blobs.stat('outputs/j/t-0.png');
    const response = await fileResponse(new Request('http://localhost/x'), blobs, 'outputs/j/t-0.png', options);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('9');
    expect(response.headers.get('etag')).toBe(`W/"${(9).toString(16)}-${stats!.modifiedAtMs.toString(16)}"`);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('png bytes');
  });

  it('answers HEAD without a body and a matching If-None-Match with 304', async () => {
    await blobs.put('outputs/j/t-0.png', Buffer.from('png bytes'), { contentType: 'image/png' });
    const head = await fileResponse(new Request('http://localhost/x', { method: 'HEAD' }), blobs, 'outputs/j/t-0.png', options);
    expect([head.status, head.headers.get('content-length'), head.body]).toEqual([200, '9', null]);
    const etag = head.headers.get('etag') ?? '';
    const cached = await fileResponse(new Request('http://localhost/x', { headers: { 'if-none-match': `"other", ${etag}` } }), blobs, 'outputs/j/t-0.png', options);
    expect(cached.status).toBe(304);
  });

  it('says not_found for a missing blob and invalid_input for a bad key', async () => {
    await expect(fileResponse(new Request('http://localhost/x'), blobs, 'outputs/j/gone-0.png', options)).rejects.toMatchObject({
      code: 'not_found',
      message: 'The file of this image is missing from the data directory.',
    });
    await expect(fileResponse(new Request('http://localhost/x'), blobs, '../etc/passwd', options)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
