import { blobFilePath } from '../support/blob-file-path.js';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import contentDisposition from 'content-disposition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleDownload } from '../../src/server/download-handler.js';
import { handleCreateGroup } from '../../src/server/group-handlers.js';
import { planDownload, startZipStream } from '../../src/server/zip/zip-download.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { apiRequest, call, completedJob, expectError, expectJson, openApiHarness, pngBytes, python, until, uploadRequest, type ApiHarness } from './api-harness.js';

/** Python's zipfile: integrity, entries (name, size, stored?, sha256) and the manifest rows. */
const inspectZip = `
import csv, hashlib, io, json, sys, zipfile
archive = zipfile.ZipFile(sys.argv[1])
bad = archive.testzip()
entries = [{"name": info.filename, "size": info.file_size, "stored": info.compress_type == zipfile.ZIP_STORED, "sha256": hashlib.sha256(archive.read(info)).hexdigest()} for info in archive.infolist()]
manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
print(json.dumps({"bad": bad, "entries": entries, "manifest": manifest}))
`;

interface ZipReport {
  bad: string | null;
  entries: Array<{ name: string; size: number; stored: boolean; sha256: string }>;
  manifest: Array<Record<string, string>>;
}

describe('GET /api/download/{groupId}', () => {
  let harness: ApiHarness;
  let job: Awaited<ReturnType<typeof completedJob>>;

  beforeEach(async () => {
    harness = await openApiHarness();
    job = await completedJob(harness, { prompts: ['Cat on a sofa', 'cat on a sofa', '../../etc/passwd', 'CON', 'right\u202Eto\u202Cleft ✨'], count: 2, seed: 10 });
  });
  afterEach(async () => harness.close());

  const download = async (query = '', groupId = job.groupId) => call(handleDownload, apiRequest(`/api/download/${groupId}${query}`), { groupId });
  const saveAndInspect = async (response: Response): Promise<ZipReport> => {
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(Number(response.headers.get('content-length')));
    const file = path.join(harness.directory, `download-${Date.now()}.zip`);
    await writeFile(file, bytes);
    const result = python(inspectZip, [file]);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as ZipReport;
  };

  it('streams every image stored, with sanitised unique names and a manifest that matches, verified by Python', async () => {
    const response = await download();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="Default.zip"');
    const report = await saveAndInspect(response);
    expect(report.bad).toBeNull();
    const files = report.entries.filter((entry) => entry.name !== 'manifest.csv');
    expect(files).toHaveLength(10);
    expect(report.entries.every((entry) => entry.stored)).toBe(true);
    for (const entry of report.entries) {
      expect(entry.name.startsWith('/')).toBe(false);
      expect(entry.name.split('/')).not.toContain('..');
      expect(entry.name).not.toMatch(/[\u202A-\u202E\\:*?"<>|]/);
    }
    const folders = [...new Set(files.map((entry) => entry.name.split('/')[0]))];
    // "Cat on a sofa" and "cat on a sofa" are one folder on Windows and macOS: merged under the first spelling.
    expect(folders.sort()).toEqual(['Cat on a sofa', '_CON', '___.._etc_passwd', 'right_to_left ✨'].sort());
    expect(files.filter((entry) => entry.name.startsWith('Cat on a sofa/'))).toHaveLength(4);

    // The manifest lists every file with its prompt, seed, model, job and status; the bytes are the stored files.
    expect(report.manifest).toHaveLength(10);
    for (const row of report.manifest) {
      const entry = files.find((candidate) => candidate.name === row.file);
      expect(entry).toBeDefined();
      const image = job.images.find((candidate) => candidate.id === row.image_id)!;
      expect(row).toMatchObject({ prompt: image.prompt, seed: String(image.seed), model: 'local-transform', job: job.jobId, status: 'completed' });
      const { createHash } = await import('node:crypto');
      expect(entry!.sha256).toBe(createHash('sha256').update(await readFile(blobFilePath(harness.fleet.blobs, image.fileKey))).digest('hex'));
    }
  });

  it('narrows by job, ids and favourites, and follows a template with numbered clashes', async () => {
    const [first, second] = job.images;
    await harness.fleet.store.images.setFavorite(first!.id, true);
    const favourites = await saveAndInspect(await download('?favorites=1'));
    expect(favourites.manifest.map((row) => row.image_id)).toEqual([first!.id]);
    const byIds = await saveAndInspect(await download(`?ids=${first!.id},${second!.id}&template={job_name}/{seed}`));
    expect(byIds.manifest.map((row) => row.image_id).sort()).toEqual([first!.id, second!.id].sort());
    const flat = await saveAndInspect(await download(`?job=${job.jobId}&template=${encodeURIComponent('shots/{prompt_id}')}`));
    const names = flat.entries.map((entry) => entry.name).filter((name) => name !== 'manifest.csv');
    expect(names).toContain('shots/item-0-prompt-0.png');
    expect(names).toContain('shots/item-0-prompt-0-2.png');
    expect(new Set(names).size).toBe(10);
  });

  it('takes the same fields in a POST body, as a form or JSON, for selections too long for a URL', async () => {
    const [first, second, third] = job.images;
    const post = (body: string, contentType: string, headers: Record<string, string> = {}) =>
      call(handleDownload, apiRequest(`/api/download/${job.groupId}`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } }), { groupId: job.groupId });
    const viaForm = await post(new URLSearchParams({ ids: [first!.id, second!.id].join(',') }).toString(), 'application/x-www-form-urlencoded', { origin: 'http://127.0.0.1:3000' });
    expect(viaForm.headers.get('content-type')).toBe('application/zip');
    expect((await saveAndInspect(viaForm)).manifest.map((row) => row.image_id).sort()).toEqual([first!.id, second!.id].sort());
    const viaJson = await post(JSON.stringify({ ids: [third!.id], template: '{seed}' }), 'application/json');
    expect((await saveAndInspect(viaJson)).manifest.map((row) => row.image_id)).toEqual([third!.id]);
    await expectError(await post('ids=x', 'text/plain'), 415, 'unsupported_media_type');
    await expectError(await post(JSON.stringify({ ids: ['nope'] }), 'application/json'), 404, 'not_found');
    await expectError(await post(JSON.stringify({ everything: true }), 'application/json'), 400, 'invalid_input', ['everything']);
    await expectError(await post('ids=a', 'application/x-www-form-urlencoded', { origin: 'https://evil.example' }), 403, 'forbidden');
  });

  it('lists calls that produced no file in the manifest', async () => {
    const { handleSubmitJob } = await import('../../src/server/job-handlers.js');
    await harness.fleet.engine.stop(0);
    await expectJson(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', groupId: job.groupId, items: [{ prompt: 'not yet drawn', count: 2 }] } })), 201);
    const report = await saveAndInspect(await download());
    const pending = report.manifest.filter((row) => row.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ file: '', prompt: 'not yet drawn', model: 'local-transform' });
  });

  it('lays Automatic results out by source photo and names the uploaded file and its hash in the manifest', async () => {
    const { handleUpload } = await import('../../src/server/upload-handlers.js');
    const { handleSubmitJob } = await import('../../src/server/job-handlers.js');
    const { createHash } = await import('node:crypto');
    const uploads: Array<{ id: string; name: string; sha256: string }> = [];
    for (const [index, name] of ['Red Shoe.png', 'blue-bag.png'].entries()) {
      const bytes = await pngBytes(200 + index * 30);
      const asset = await expectJson<{ id: string; sourceSha256: string }>(await call(handleUpload, uploadRequest('/api/uploads', bytes, name)), 201);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // The stored copy is re-encoded; the source hash is of the bytes the user sent.
      expect(asset.sourceSha256).toBe(sha256);
      uploads.push({ id: asset.id, name, sha256 });
    }
    const submitted = await expectJson<{ id: string; groupId: string }>(
      await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'automatic', provider: 'local', referenceIds: uploads.map((upload) => upload.id), prompt: 'studio light', variationsPerImage: 2, settings: { size: '512' }, groupId: job.groupId } })),
      201,
    );
    await until(async () => (await harness.fleet.store.jobs.getJob(submitted.id))?.status === 'completed', 'the automatic job to complete');
    const report = await saveAndInspect(await download(`?job=${submitted.id}`));
    const files = report.entries.map((entry) => entry.name).filter((name) => name !== 'manifest.csv').sort();
    expect(files).toEqual(['Red Shoe/Red Shoe-v1.png', 'Red Shoe/Red Shoe-v2.png', 'blue-bag/blue-bag-v1.png', 'blue-bag/blue-bag-v2.png'].sort());
    for (const row of report.manifest) {
      const upload = uploads.find((candidate) => row.file?.startsWith(candidate.name.replace('.png', '/')));
      expect(upload, row.file).toBeDefined();
      expect(row).toMatchObject({ source_file: upload!.name, source_sha256: upload!.sha256 });
    }
    // An explicit template still wins.
    const flat = await saveAndInspect(await download(`?job=${submitted.id}&template=${encodeURIComponent('{seed}')}`));
    expect(flat.entries.some((entry) => entry.name.includes('-v1'))).toBe(false);
  });

  it('tells which files are stored already by the hash of their bytes as uploaded', async () => {
    const { handleUpload, handleUploadCheck } = await import('../../src/server/upload-handlers.js');
    const { createHash } = await import('node:crypto');
    const bytes = await pngBytes(77);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const unknown = createHash('sha256').update('nothing').digest('hex');
    const check = async () => expectJson<{ known: Record<string, { id: string; name: string }> }>(await call(handleUploadCheck, apiRequest('/api/uploads/check', { json: { sha256: [sha256, unknown] } })), 200);
    expect((await check()).known).toEqual({});
    const asset = await expectJson<{ id: string }>(await call(handleUpload, uploadRequest('/api/uploads', bytes, 'kept.png')), 201);
    const known = (await check()).known;
    expect(Object.keys(known)).toEqual([sha256]);
    expect(known[sha256]).toMatchObject({ id: asset.id, name: 'kept.png' });
    await expectError(await call(handleUploadCheck, apiRequest('/api/uploads/check', { json: { sha256: ['XYZ'] } })), 400, 'invalid_input');
  });

  it('stores a generated image as a reference, once', async () => {
    const { handleImageAsReference } = await import('../../src/server/image-handlers.js');
    const image = job.images[0]!;
    const first = await expectJson<{ id: string; name: string }>(await call(handleImageAsReference, apiRequest(`/api/images/${image.id}/reference`, { method: 'POST' }), { id: image.id }), 201);
    expect(first.name).toBe(`seed-${image.seed}.png`);
    const again = await expectJson<{ id: string }>(await call(handleImageAsReference, apiRequest(`/api/images/${image.id}/reference`, { method: 'POST' }), { id: image.id }), 200);
    expect(again.id).toBe(first.id);
    await expectError(await call(handleImageAsReference, apiRequest('/api/images/nope/reference', { method: 'POST' }), { id: 'nope' }), 404, 'not_found');
  });

  it('writes ZIP64 records readable by Python when forced', async () => {
    const plan = await planDownload(harness.fleet, { groupId: job.groupId });
    const zip = await startZipStream(plan, { forceZip64: true });
    const chunks: Buffer[] = [];
    for await (const chunk of zip.output as Readable) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(zip.size);
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const file = path.join(harness.directory, 'zip64.zip');
    await writeFile(file, bytes);
    const report = JSON.parse(python(inspectZip, [file]).stdout) as ZipReport;
    expect(report.bad).toBeNull();
    expect(report.entries).toHaveLength(11);
  });

  it.each([
    ['a few hundred short names (no ZIP64 records)', 300, 'x'],
    ['1,500 long names (central directory over 64 KiB)', 1500, 'a-rather-long-folder-name-for-a-prompt/and-a-long-file-name'],
  ])('sends exactly the predicted number of bytes for %s, readable by Python and unzip', async (_label, count, stem) => {
    const { mkdir } = await import('node:fs/promises');
    const directory = path.join(harness.directory, `many-${count}`);
    await mkdir(directory);
    const entries = [];
    for (let index = 0; index < count; index += 1) {
      const key = `${index}.bin`;
      await writeFile(path.join(directory, key), Buffer.from(`entry ${index}`));
      entries.push({ name: `${stem}-${index}.png`, key, size: Buffer.byteLength(`entry ${index}`), mtime: new Date() });
    }
    const plan = { group: { id: 'g', name: 'g', createdAtMs: 0, updatedAtMs: 0 }, blobs: new FileBlobStore(directory), entries, manifest: Buffer.from('file\r\n'), fileName: 'g.zip' };
    const zip = await startZipStream(plan);
    const chunks: Buffer[] = [];
    for await (const chunk of zip.output as Readable) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(zip.size);
    const file = path.join(harness.directory, `many-${count}.zip`);
    await writeFile(file, bytes);
    const report = python(inspectZip, [file]);
    expect(JSON.parse(report.stdout)).toMatchObject({ bad: null });
    const { spawnSync } = await import('node:child_process');
    const unzip = spawnSync('unzip', ['-tqq', file], { encoding: 'utf8' });
    expect({ status: unzip.status, stderr: unzip.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('stops reading files when the client goes', async () => {
    const plan = await planDownload(harness.fleet, { groupId: job.groupId });
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const baseline = openFiles();
    const zip = await startZipStream(plan);
    const output = zip.output as Readable;
    await new Promise<void>((resolve) => output.once('readable', () => resolve()));
    output.read();
    zip.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output.destroyed).toBe(true);
    expect(openFiles()).toBeLessThanOrEqual(baseline);
  });

  it('encodes the archive name per RFC 6266, whatever the group is called', async () => {
    const group = await expectJson<{ id: string }>(await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'Été "quoted" ✨ ‮rtl/..\\x' } })), 201);
    const response = await download('', group.id);
    const header = response.headers.get('content-disposition')!;
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain("filename*=UTF-8''");
    expect(contentDisposition.parse(header).parameters.filename).toBe('Été _quoted_ ✨ rtl_.._x.zip');
    const report = await saveAndInspect(response);
    expect(report.entries.map((entry) => entry.name)).toEqual(['manifest.csv']);
  });

  it('refuses unknown groups, foreign jobs, unknown ids, bad templates and unknown parameters', async () => {
    await expectError(await download('', 'nope'), 404, 'not_found');
    await expectError(await download('?job=nope'), 404, 'not_found');
    await expectError(await download(`?ids=${job.images[0]!.id},missing`), 404, 'not_found');
    await expectError(await download('?template={secret}'), 400, 'invalid_input', ['template']);
    await expectError(await download('?template=/abs/{seed}'), 400, 'invalid_input', ['template']);
    await expectError(await download(`?template=${encodeURIComponent('../{seed}')}`), 400, 'invalid_input', ['template']);
    await expectError(await download('?ids='), 400, 'invalid_input', ['ids']);
    await expectError(await download('?compress=1'), 400, 'invalid_input', ['compress']);
  });
});
