import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepTemporaryFiles } from '../../src/store/blobs/sweep-temporary-files.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('sweepTemporaryFiles', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('removes only old temp files of interrupted atomic writes, in every folder, and leaves real files', async () => {
    const temp = await makeTempDir('imagefleet-sweep-');
    cleanup = temp.cleanup;
    const root = temp.directory;
    const jobDirectory = path.join(root, 'outputs', 'job-1');
    await mkdir(jobDirectory, { recursive: true });
    const nowMs = Date.now();
    const hourAgo = new Date(nowMs - 2 * 60 * 60 * 1000);
    const files = {
      oldTemp: path.join(jobDirectory, '.task-1-0.png.0123456789abcdef.tmp'),
      oldTempAtRoot: path.join(root, '.asset.webp.fedcba9876543210.tmp'),
      freshTemp: path.join(jobDirectory, '.task-1-1.png.00112233445566aa.tmp'),
      image: path.join(jobDirectory, 'task-1-0.png'),
      userTmp: path.join(jobDirectory, 'notes.tmp'),
    };
    for (const filePath of Object.values(files)) await writeFile(filePath, 'x'.repeat(10));
    for (const filePath of [files.oldTemp, files.oldTempAtRoot, files.image, files.userTmp]) await utimes(filePath, hourAgo, hourAgo);

    const result = await sweepTemporaryFiles(root, { olderThanMs: 60 * 60 * 1000, nowMs });

    expect(result).toEqual({ removedFiles: 2, removedBytes: 20 });
    expect((await readdir(jobDirectory)).sort()).toEqual(['.task-1-1.png.00112233445566aa.tmp', 'notes.tmp', 'task-1-0.png']);
    expect(await readdir(root)).toEqual(['outputs']);
  });

  it('treats a missing root as nothing to sweep', async () => {
    expect(await sweepTemporaryFiles('/nonexistent/imagefleet-sweep-root', { olderThanMs: 0, nowMs: Date.now() })).toEqual({ removedFiles: 0, removedBytes: 0 });
  });
});
