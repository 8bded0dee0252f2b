/**
 * A ZIP download whose files change under it (issue 21): a file deleted or truncated after the
 * archive's size was fixed must neither hang the response nor pass for complete. The archive ends
 * with exactly the announced bytes, stays readable, and manifest.csv (last) marks those files
 * `truncated`.
 */
import { blobFilePath } from '../support/blob-file-path.js';
import { rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planDownload, startZipStream } from '../../src/server/zip/zip-download.js';
import { completedJob, openApiHarness, python, type ApiHarness } from './api-harness.js';

const inspectZip = `
import csv, io, json, sys, zipfile
archive = zipfile.ZipFile(sys.argv[1])
bad = archive.testzip()
names = [info.filename for info in archive.infolist()]
manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
print(json.dumps({"bad": bad, "names": names, "manifest": manifest}))
`;

describe('ZIP downloads whose files change while streaming', () => {
  let harness: ApiHarness;
  let job: Awaited<ReturnType<typeof completedJob>>;

  beforeEach(async () => {
    harness = await openApiHarness();
    job = await completedJob(harness, { prompts: ['a red shoe', 'a blue shoe'], count: 2, seed: 1 });
  });
  afterEach(async () => harness.close());

  it('ends the archive at its announced size and marks a deleted and a truncated file in the manifest', async () => {
    const plan = await planDownload(harness.fleet, { groupId: job.groupId });
    expect(plan.entries.length).toBe(4);
    const [deleted, shortened] = plan.entries;
    await rm(blobFilePath(harness.fleet.blobs, deleted!.key));
    await truncate(blobFilePath(harness.fleet.blobs, shortened!.key), Math.floor(shortened!.size / 2));
    const problems: Array<{ name: string; kind: string }> = [];
    const zip = await startZipStream(plan, { onFileProblem: (entry, problem) => problems.push({ name: entry.name, kind: problem.kind }) });

    const chunks: Buffer[] = [];
    const read = (async () => {
      for await (const chunk of zip.output as Readable) chunks.push(chunk as Buffer);
    })();
    await Promise.race([read, new Promise((_, reject) => setTimeout(() => reject(new Error('the archive never ended')), 15_000))]);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(zip.size);

    expect(problems).toEqual([
      { name: deleted!.name, kind: 'missing' },
      { name: shortened!.name, kind: 'short' },
    ]);
    const file = path.join(harness.directory, 'damaged.zip');
    await writeFile(file, bytes);
    const result = python(inspectZip, [file]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { bad: string | null; names: string[]; manifest: Array<Record<string, string>> };
    expect(report.bad).toBeNull();
    expect(report.names.at(-1)).toBe('manifest.csv');
    const statusOf = (name: string) => report.manifest.find((row) => row.file === name)?.status;
    expect(statusOf(deleted!.name)).toBe('truncated');
    expect(statusOf(shortened!.name)).toBe('truncated');
    expect(statusOf(plan.entries[2]!.name)).toBe('completed');
    expect(statusOf(plan.entries[3]!.name)).toBe('completed');
  });

  it('plans from the stored sizes without touching the files: one gone before the download is zero-filled and marked truncated', async () => {
    const images = await harness.fleet.store.images.listForExport({ groupId: job.groupId });
    await rm(blobFilePath(harness.fleet.blobs, images[0]!.fileKey));
    const plan = await planDownload(harness.fleet, { groupId: job.groupId });
    expect(plan.entries.map((entry) => [entry.key, entry.size])).toEqual(images.map((image) => [image.fileKey, image.byteSize]));
    const problems: string[] = [];
    const zip = await startZipStream(plan, { onFileProblem: (entry, problem) => problems.push(`${entry.key}:${problem.kind}`) });
    const chunks: Buffer[] = [];
    for await (const chunk of zip.output as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).length).toBe(zip.size);
    expect(problems).toEqual([`${images[0]!.fileKey}:missing`]);
    const file = path.join(harness.directory, 'gone-before.zip');
    await writeFile(file, Buffer.concat(chunks));
    const report = JSON.parse(python(inspectZip, [file]).stdout) as { bad: string | null; manifest: Array<Record<string, string>> };
    expect(report.bad).toBeNull();
    expect(report.manifest.find((row) => row.file === plan.entries[0]!.name)?.status).toBe('truncated');
    expect(report.manifest.filter((row) => row.status === 'completed')).toHaveLength(3);
  });
});
