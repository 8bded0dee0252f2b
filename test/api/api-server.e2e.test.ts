/**
 * The HTTP API end to end, through the real `imagefleet serve` (bin shim → CLI → createFleet →
 * custom server → Next.js route handlers and the plain Node download route) on a free loopback
 * port with a temporary data directory: 200 concurrent uploads, an automatic job on the local
 * provider followed over SSE to completion, its ZIP checked by Python's zipfile against the
 * manifest, and the bad inputs of issue 5 — each refused with a 4xx, nothing half-written, the
 * server still serving.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, waitUntilServing, within, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { python } from './api-harness.js';
import { buildZip, pngWithDimensions } from './fixtures.js';
import { SseReader } from './sse-reader.js';

const geminiKey = 'AIzaSy-api-e2e-canary-key-never-shown-77';
const uploadLimit = 4 * 1024 * 1024;

describe('HTTP API through imagefleet serve', () => {
  let server: CliProcess;
  let base: string;
  let dataDir: string;
  let root: string;
  let cleanup: () => Promise<void>;
  const bodies: string[] = [];
  let assetIds: string[] = [];
  let job: { id: string; groupId: string };

  const counts = () => {
    const database = new Database(path.join(dataDir, 'imagefleet.db'), { readonly: true, fileMustExist: true });
    try {
      const count = (table: string) => (database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { assets: count('assets'), jobs: count('jobs'), tasks: count('tasks'), images: count('images'), groups: count('groups') };
    } finally {
      database.close();
    }
  };
  const leftovers = () => {
    const directory = path.join(dataDir, 'tmp', 'uploads');
    return existsSync(directory) ? readdirSync(directory) : [];
  };
  const stillServing = async () => expect((await fetch(`${base}/api/health`)).status).toBe(200);
  const upload = async (route: string, bytes: Uint8Array, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${base}${route}`, { method: 'POST', body: form });
    const text = await response.text();
    bodies.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };
  const submit = async (body: unknown) => {
    const response = await fetch(`${base}/api/jobs/submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    bodies.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string; details?: { issues?: Array<{ path: string }> } } } };
  };

  beforeAll(async () => {
    const buildError = inject('nextBuildError');
    if (buildError !== '') throw new Error(buildError);
    const temp = await makeTempDir('imagefleet-api-e2e-');
    cleanup = temp.cleanup;
    root = temp.directory;
    dataDir = path.join(root, 'data');
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    server = startCli(['serve', '--port', String(port), '--data-dir', dataDir], {
      env: cleanEnvironment({
        GEMINI_API_KEY: geminiKey,
        IMAGEFLEET_SHUTDOWN_GRACE_MS: '2000',
        IMAGEFLEET_UPLOAD_MAX_BYTES: String(uploadLimit),
        IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES: String(64 * 1024 * 1024),
        IMAGEFLEET_LOG_LEVEL: 'warn',
      }),
    });
    await waitUntilServing(`${base}/api/health`, server, 90_000);
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await cleanup?.();
  });

  it('stores 200 images uploaded at once, and answers 200 with the same id for repeats', async () => {
    const files = await Promise.all(
      Array.from({ length: 200 }, (_value, index) =>
        sharp({ create: { width: 48 + (index % 7), height: 40, channels: 3, background: { r: index, g: (index * 37) % 256, b: (index * 91) % 256 } } })
          .png()
          .toBuffer(),
      ),
    );
    const results = await Promise.all(files.map((bytes, index) => upload('/api/uploads', bytes, `ref-${index}.png`)));
    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 200 }, () => 201));
    assetIds = results.map((result) => String(result.body.id));
    expect(new Set(assetIds).size).toBe(200);
    const repeats = await Promise.all(files.slice(0, 5).map((bytes, index) => upload('/api/uploads', bytes, `again-${index}.png`)));
    expect(repeats.map((result) => [result.status, result.body.id])).toEqual(assetIds.slice(0, 5).map((id) => [200, id]));
    expect(counts().assets).toBe(200);
    expect(leftovers()).toEqual([]);
  });

  it('runs an automatic job on the local provider, followed over SSE to completion', async () => {
    const submitted = await submit({ mode: 'automatic', provider: 'local', referenceIds: assetIds.slice(0, 24), prompt: 'warm vintage product shot', variationsPerImage: 1, settings: { size: '512' }, groupName: 'E2E' });
    expect(submitted.status).toBe(201);
    job = { id: String(submitted.body.id), groupId: String(submitted.body.groupId) };
    const response = await fetch(`${base}/api/events?job=${job.id}`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = new SseReader(response.body!);
    const frames = await within(reader.until((frame) => frame.event === 'job.finished'), 25_000, 'no job.finished event within 25 s');
    await reader.cancel();
    expect(frames.filter((frame) => frame.event === 'task.completed')).toHaveLength(24);
    expect(JSON.parse(frames[frames.length - 1]!.data)).toMatchObject({ jobId: job.id, payload: { status: 'completed' } });
    const status = (await (await fetch(`${base}/api/jobs/${job.id}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'completed', progress: 1, counts: { total: 24, completed: 24 } });
  });

  it('downloads the ZIP with an exact Content-Length, verified by Python and against the manifest', async () => {
    const response = await fetch(`${base}/api/download/${job.groupId}?job=${job.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="E2E - warm vintage product shot.zip"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const file = path.join(root, 'download.zip');
    await writeFile(file, bytes);
    const report = python(
      `
import csv, hashlib, io, json, sys, zipfile
archive = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"bad": archive.testzip(),
  "entries": {info.filename: {"stored": info.compress_type == zipfile.ZIP_STORED, "sha256": hashlib.sha256(archive.read(info)).hexdigest()} for info in archive.infolist()},
  "manifest": list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))}))`,
      [file],
    );
    expect(report.stderr).toBe('');
    const { bad, entries, manifest } = JSON.parse(report.stdout) as { bad: string | null; entries: Record<string, { stored: boolean; sha256: string }>; manifest: Array<Record<string, string>> };
    expect(bad).toBeNull();
    expect(Object.keys(entries)).toHaveLength(25);
    expect(manifest).toHaveLength(24);
    for (const row of manifest) {
      expect(row).toMatchObject({ prompt: 'warm vintage product shot', model: 'local-transform', job: job.id, status: 'completed' });
      const entry = entries[row.file!];
      expect(entry?.stored).toBe(true);
      const original = Buffer.from(await (await fetch(`${base}/api/images/${row.image_id}`)).arrayBuffer());
      expect(entry?.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    }
    // A client that goes away mid-download leaves the server serving.
    const partial = await fetch(`${base}/api/download/${job.groupId}`);
    const partialReader = partial.body!.getReader();
    await partialReader.read();
    await partialReader.cancel();
    await stillServing();
  });

  describe('bad input: 4xx with a clear message, nothing half-written, still serving', () => {
    let before: ReturnType<typeof counts>;
    beforeAll(() => {
      before = counts();
    });

    it.each([
      ['wrong types', { mode: 'studio', provider: 'local', items: [{ prompt: 42, count: '3' }] }, ['items.0.prompt', 'items.0.count']],
      ['huge numbers', { mode: 'studio', provider: 'local', budgetUsd: 1e308, items: [{ prompt: 'x', count: 1e21, seed: 2 ** 53 }] }, ['budgetUsd', 'items.0.count', 'items.0.seed']],
      ['unknown fields', { mode: 'studio', provider: 'local', turbo: true, items: [{ prompt: 'x', steps: 50 }] }, ['turbo', 'items.0.steps']],
    ])('refuses a job with %s (400)', async (_label, body, paths) => {
      const { status, body: answer } = await submit(body);
      expect(status).toBe(400);
      expect(answer.error?.code).toBe('invalid_input');
      expect(answer.error?.details?.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining(paths));
      expect(counts()).toEqual(before);
      await stillServing();
    });

    it('refuses a 20,000×20,000 PNG (a real decompression bomb) with 422', async () => {
      const bomb = pngWithDimensions(20_000, 20_000, { fullData: true });
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const { status, body } = await upload('/api/uploads', bomb, 'bomb.png');
      expect(status).toBe(422);
      expect(body.error?.message).toContain('20000×20000 pixels');
      expect(counts()).toEqual(before);
      expect(leftovers()).toEqual([]);
      await stillServing();
    });

    it('refuses a non-image named .png with 415', async () => {
      const { status, body } = await upload('/api/uploads', Buffer.from('#!/bin/sh\necho not an image\n'), 'photo.png');
      expect(status).toBe(415);
      expect(body.error?.message).toContain('not an image');
      expect(counts()).toEqual(before);
      await stillServing();
    });

    it('refuses a ZIP whose entries all leave their folder with 422, writing nothing anywhere', async () => {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toBuffer();
      const zip = buildZip([
        { name: '../../escaped.png', data: png },
        { name: '../data/escaped2.png', data: png },
        { name: '/tmp/escaped3.png', data: png },
      ]);
      const { status, body } = await upload('/api/uploads/zip', zip, 'evil.zip');
      expect(status).toBe(422);
      expect(body.error?.message).toContain('No image in the ZIP could be stored');
      expect(existsSync(path.join(root, 'escaped.png'))).toBe(false);
      expect(existsSync(path.join(dataDir, 'escaped2.png'))).toBe(false);
      expect(existsSync('/tmp/escaped3.png')).toBe(false);
      expect(counts()).toEqual(before);
      expect(leftovers()).toEqual([]);
      await stillServing();
    });

    it('refuses a ZIP bomb with 413 before extracting it', async () => {
      const zipfile = new yazl.ZipFile();
      const zeros = Buffer.alloc(3 * 1024 * 1024);
      for (let index = 0; index < 30; index += 1) {
        // 30 × 3 MiB of zeros, each under the per-image limit: ~100 KiB compressed, 90 MiB expanded (the server allows 64 MiB).
        zipfile.addBuffer(zeros, `zeros-${index}.png`, { compress: true });
      }
      zipfile.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zipfile.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
      const bomb = Buffer.concat(chunks);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const { status, body } = await upload('/api/uploads/zip', bomb, 'bomb.zip');
      expect(status).toBe(413);
      expect(body.error?.message).toContain('IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES');
      expect(counts()).toEqual(before);
      expect(leftovers()).toEqual([]);
      await stillServing();
    });

    it('refuses a body over the limit with 413', async () => {
      const big = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(uploadLimit + 1024 * 1024, 3)]);
      const { status, body } = await upload('/api/uploads', big, 'huge.png');
      expect(status).toBe(413);
      expect(body.error?.message).toContain('IMAGEFLEET_UPLOAD_MAX_BYTES');
      // Streamed without a Content-Length: refused at the limit while the bytes arrive.
      const boundary = 'imagefleet-e2e';
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(head);
          for (let offset = 0; offset < big.length; offset += 64 * 1024) controller.enqueue(big.subarray(offset, offset + 64 * 1024));
          controller.enqueue(tail);
          controller.close();
        },
      });
      const streamed = await fetch(`${base}/api/uploads`, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(counts()).toEqual(before);
      expect(leftovers()).toEqual([]);
      await stillServing();
    });

    it('refuses cross-origin browser requests with 403', async () => {
      for (const origin of ['https://evil.example', 'null']) {
        const response = await fetch(`${base}/api/groups`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ name: 'CSRF' }) });
        expect(response.status).toBe(403);
      }
      const sameOrigin = await fetch(`${base}/api/groups`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ name: 'Same origin' }) });
      expect(sameOrigin.status).toBe(201);
      expect(counts().groups).toBe(before.groups + 1);
    });
  });

  it('answers unknown API paths with a JSON 404 and serves its own documentation', async () => {
    const missing = await fetch(`${base}/api/no-such-route`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const openapi = await fetch(`${base}/api/openapi.json`);
    const document = await openapi.text();
    bodies.push(document);
    expect(JSON.parse(document)).toMatchObject({ openapi: '3.1.0', info: { title: 'imagefleet HTTP API' } });
    const docs = await fetch(`${base}/api/docs`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain('/api/jobs/submit');
    expect(html).toContain('/api/download/{groupId}');
  });

  it('never shows the provider key, then stops cleanly on SIGTERM', async () => {
    bodies.push(await (await fetch(`${base}/api/health`)).text());
    for (const body of bodies) expect(body).not.toContain(geminiKey);
    server.child.kill('SIGTERM');
    const { code } = await within(server.exited, 15_000, 'serve did not exit within 15 s of SIGTERM');
    expect(code).toBe(0);
    expect(server.stdout() + server.stderr()).not.toContain(geminiKey);
  });
});
