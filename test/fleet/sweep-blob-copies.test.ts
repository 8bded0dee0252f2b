import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepBlobCopies } from '../../src/fleet/sweep-blob-copies.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('sweepBlobCopies', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir('imagefleet-copies-');
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it('removes stale materialize copies only: not fresh ones, not other files of tmp/', async () => {
    const nowMs = Date.now();
    const make = async (name: string, ageMs: number): Promise<string> => {
      const directory = path.join(temp.directory, name);
      await mkdir(directory);
      await writeFile(path.join(directory, 'image.png'), 'bytes');
      const at = new Date(nowMs - ageMs);
      await utimes(directory, at, at);
      return directory;
    };
    const stale = await make('imagefleet-blob-stale1', 2 * 3_600_000);
    const fresh = await make('imagefleet-blob-fresh1', 60_000);
    const uploads = await make('uploads', 2 * 3_600_000);
    expect(await sweepBlobCopies(temp.directory, { olderThanMs: 3_600_000, nowMs })).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(uploads)).toBe(true);
  });

  it('finds nothing to do in a missing directory', async () => {
    expect(await sweepBlobCopies(path.join(temp.directory, 'missing'), { olderThanMs: 1, nowMs: Date.now() })).toBe(0);
  });
});
