import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openReferenceLinks } from '../../src/fleet/reference-links.js';
import { handleGetReference } from '../../src/server/reference-handlers.js';
import { handleUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, uploadRequest, type ApiHarness } from './api-harness.js';

const token = 'reference-links-test-token-0123456789';

describe('signed reference links (GET /api/references/{sha256})', () => {
  let harness: ApiHarness | undefined;
  afterEach(async () => harness?.close());

  async function storedReference() {
    harness = await openApiHarness({ IMAGEFLEET_API_TOKEN: token, IMAGEFLEET_PUBLIC_URL: 'https://imagefleet.example.com/' });
    const bytes = await pngBytes(40);
    const asset = await expectJson<{ id: string; sha256: string }>(await call(handleUpload, uploadRequest('/api/uploads', bytes, 'ref.png', { headers: { authorization: `Bearer ${token}` } })), 201);
    return { asset, fleet: harness.fleet };
  }

  const fetchLink = (link: string) => {
    const url = new URL(link);
    return call(handleGetReference, apiRequest(`${url.pathname}${url.search}`), { sha256: url.pathname.split('/').at(-1)! });
  };

  it('serves the stored image to a signed link without the API token, until it expires', async () => {
    const { asset, fleet } = await storedReference();
    const link = fleet.referenceLinks.urlFor(asset.sha256, 60_000, Date.now())!;
    expect(link).toMatch(new RegExp(`^https://imagefleet\\.example\\.com/api/references/${asset.sha256}\\?expires=\\d+&signature=[0-9a-f]{64}$`));
    const response = await fetchLink(link);
    expect(response.status).toBe(200);
    const served = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(asset.sha256);
    expect(response.headers.get('content-type')).toBe('image/png');

    const expired = fleet.referenceLinks.urlFor(asset.sha256, 60_000, Date.now() - 120_000)!;
    await expectError(await fetchLink(expired), 403, 'forbidden');
  });

  it('refuses a link bent to another image or a later expiry, and malformed ones', async () => {
    const { asset, fleet } = await storedReference();
    const link = new URL(fleet.referenceLinks.urlFor(asset.sha256, 60_000, Date.now())!);
    const otherSha = 'a'.repeat(64);
    await expectError(await fetchLink(`https://x${link.pathname.replace(asset.sha256, otherSha)}${link.search}`), 403, 'forbidden');
    const later = new URL(link);
    later.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3600));
    await expectError(await fetchLink(later.toString()), 403, 'forbidden');
    await expectError(await fetchLink(`https://x${link.pathname}?expires=soon&signature=${link.searchParams.get('signature')}`), 400, 'invalid_input', ['expires']);
    await expectError(await fetchLink(`https://x${link.pathname}`), 400, 'invalid_input', ['expires', 'signature']);
  });

  it('keeps one signing key per data directory, so every process sharing it checks the others\u2019 links', async () => {
    const { asset, fleet } = await storedReference();
    const second = await openReferenceLinks(fleet.config.dataDir, undefined, fleet.store.webSessions);
    const link = new URL(fleet.referenceLinks.urlFor(asset.sha256, 60_000, Date.now())!);
    expect(second.verify(asset.sha256, Number(link.searchParams.get('expires')), link.searchParams.get('signature')!, Date.now())).toBe(true);
    expect(second.urlFor(asset.sha256, 60_000, Date.now())).toBeUndefined();
  });
});
