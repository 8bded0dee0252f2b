import { blobFilePath } from '../support/blob-file-path.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layoutVariables, OutputTree } from '../../src/cli/session/output-tree.js';
import { parsePathTemplate } from '../../src/core/path-template.js';
import type { BlobStore } from '../../src/engine/ports.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('OutputTree.place', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  let root: string;
  let sourceA: string;
  let sourceB: string;
  beforeEach(async () => {
    temp = await makeTempDir('imagefleet-tree-');
    root = path.join(temp.directory, 'out');
    await mkdir(path.join(temp.directory, 'store'));
    sourceA = path.join(temp.directory, 'store/a.png');
    sourceB = path.join(temp.directory, 'store/b.png');
    await writeFile(sourceA, 'image A');
    await writeFile(sourceB, 'image B');
  });
  afterEach(() => temp.cleanup());

  const tree = (layout = '{combo}/{name}.{ext}') => new OutputTree(root, parsePathTemplate(layout));

  it('links the stored file into place and finds it there again', async () => {
    const placed = await tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' });
    expect(placed).toBe('c1/hero.png');
    const info = await stat(path.join(root, placed));
    expect(info.ino).toBe((await stat(sourceA)).ino);
    expect(await tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' })).toBe('c1/hero.png');
  });

  it('never overwrites a different file: the next free number instead, stable on repeat', async () => {
    await mkdir(path.join(root, 'c1'), { recursive: true });
    await writeFile(path.join(root, 'c1/hero.png'), 'someone else’s file');
    expect(await tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' })).toBe('c1/hero-2.png');
    expect(await tree().place(sourceB, { combo: 'c1', name: 'hero', ext: 'png' })).toBe('c1/hero-3.png');
    expect(await tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' })).toBe('c1/hero-2.png');
    expect(await readFile(path.join(root, 'c1/hero.png'), 'utf8')).toBe('someone else’s file');
  });

  it('recognises a copy with the same bytes as already placed', async () => {
    await mkdir(path.join(root, 'c1'), { recursive: true });
    await writeFile(path.join(root, 'c1/hero.png'), 'image A');
    expect(await tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' })).toBe('c1/hero.png');
  });

  it('copies when the store is on another file system', async () => {
    const shm = '/dev/shm';
    if (!existsSync(shm) || (await stat(shm)).dev === (await stat(temp.directory)).dev) return;
    const elsewhere = await mkdtemp(path.join(shm, 'imagefleet-'));
    try {
      const source = path.join(elsewhere, 'x.png');
      await writeFile(source, 'image X');
      const placed = await tree().place(source, { combo: 'c2', name: 'x', ext: 'png' });
      const info = await stat(path.join(root, placed));
      expect(info.ino).not.toBe((await stat(source)).ino);
      expect(await readFile(path.join(root, placed), 'utf8')).toBe('image X');
      expect(await tree().place(source, { combo: 'c2', name: 'x', ext: 'png' })).toBe(placed);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('sanitises hostile values and fixes the extension', async () => {
    const placed = await tree('{combo}/{name}.png').place(sourceA, { combo: '../../etc', name: 'CON', ext: 'jpg' });
    expect(placed).toBe('___.._etc/_CON.jpg');
    expect(path.resolve(root, placed).startsWith(root + path.sep)).toBe(true);
  });

  it('refuses to write through a link that leads outside the output folder', async () => {
    await mkdir(root, { recursive: true });
    await mkdir(path.join(temp.directory, 'elsewhere'));
    await symlink(path.join(temp.directory, 'elsewhere'), path.join(root, 'c1'));
    await expect(tree().place(sourceA, { combo: 'c1', name: 'hero', ext: 'png' })).rejects.toThrow('it is a link that leads outside --out');
    expect(existsSync(path.join(temp.directory, 'elsewhere/hero.png'))).toBe(false);
  });

  it('writes the session log under .sessions', async () => {
    const output = tree();
    await output.writeLog({ session_id: 's1', job_id: 'j', version: 1, started: '', updated: '', status: 'queued', status_reason: null, config: {}, jobs: [], summary: { total: 0, completed: 0, failed: 0, blocked: 0, pending: 0, running: 0, canceled: 0, cost_usd: 0 } });
    expect(JSON.parse(await readFile(path.join(root, '.sessions/s1-session.json'), 'utf8'))).toMatchObject({ session_id: 's1' });
  });
});

describe('layoutVariables', () => {
  it('adds the built-ins to the task’s variables', () => {
    const variables = layoutVariables({
      sessionId: 's',
      job: { provider: 'local', model: 'local-transform', settings: { size: '2K', aspectRatio: '16:9' } },
      task: { ordinal: 6, variables: { combo: 'c1', prompt_id: 'hero', wardrobe: 'summer' }, seed: 41 },
      taskCount: 40,
      image: { index: 0, seed: 41, mediaType: 'image/jpeg', createdAtMs: Date.UTC(2026, 10, 21, 15, 30, 5) },
    });
    expect(variables).toMatchObject({ combo: 'c1', prompt_id: 'hero', wardrobe: 'summer', seq: '0007', timestamp: '20261121-153005', date: '2026-11-21', size: '2K', aspect: '16x9', seed: '41', ext: 'jpg', image: '0', session: 's' });
  });

  it('keeps the sequence number of the image an upgrade remakes', () => {
    const variables = layoutVariables({
      sessionId: 's',
      job: { provider: 'local', model: 'm', settings: { size: '4K', aspectRatio: '1:1' } },
      task: { ordinal: 0, variables: { source_ordinal: '11' }, seed: undefined },
      taskCount: 1,
      image: { index: 0, seed: undefined, mediaType: 'image/png', createdAtMs: 0 },
    });
    expect(variables).toMatchObject({ seq: '0012', seed: 'noseed' });
  });
});

describe('OutputTree.placeBlob', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  let blobs: FileBlobStore;
  beforeEach(async () => {
    temp = await makeTempDir('imagefleet-tree-blob-');
    blobs = new FileBlobStore(path.join(temp.directory, 'files'));
    await blobs.put('outputs/job-1/task-1-0.png', Buffer.from('image A'), { contentType: 'image/png' });
  });
  afterEach(() => temp.cleanup());

  const tree = () => new OutputTree(path.join(temp.directory, 'out'), parsePathTemplate('{combo}/{name}.{ext}'));

  it('hard-links a file blob (materialized as the stored file itself)', async () => {
    const placed = await tree().placeBlob(blobs, 'outputs/job-1/task-1-0.png', { combo: 'c1', name: 'hero', ext: 'png' });
    expect(placed).toBe('c1/hero.png');
    const [target, stored] = await Promise.all([stat(path.join(temp.directory, 'out', placed)), stat(blobFilePath(blobs, 'outputs/job-1/task-1-0.png'))]);
    expect(target.ino).toBe(stored.ino);
  });

  it('places a blob a remote store materializes as a temporary copy, and the copy is released', async () => {
    // The file store answering as a remote store would: `materialize` gives a temporary download.
    const copies = path.join(temp.directory, 'remote-copies');
    const copyPaths: string[] = [];
    const remoteLike: BlobStore = {
      put: (key, bytes, options) => blobs.put(key, bytes, options),
      get: (key, range) => blobs.get(key, range),
      read: (key) => blobs.read(key),
      stat: (key) => blobs.stat(key),
      delete: (keys) => blobs.delete(keys),
      deletePrefix: (prefix) => blobs.deletePrefix(prefix),
      async materialize(key) {
        const { mkdir, writeFile, rm } = await import('node:fs/promises');
        await mkdir(copies, { recursive: true });
        const filePath = path.join(copies, `copy-${copyPaths.length}.png`);
        copyPaths.push(filePath);
        await writeFile(filePath, await blobs.read(key));
        return { filePath, isStoredFile: false, release: () => rm(filePath, { force: true }) };
      },
    };
    const placed = await tree().placeBlob(remoteLike, 'outputs/job-1/task-1-0.png', { combo: 'c1', name: 'hero', ext: 'png' });
    expect(await readFile(path.join(temp.directory, 'out', placed), 'utf8')).toBe('image A');
    expect((await stat(path.join(temp.directory, 'out', placed))).ino).not.toBe((await stat(blobFilePath(blobs, 'outputs/job-1/task-1-0.png'))).ino);
    // Placing again finds the same image where it was put.
    expect(await tree().placeBlob(remoteLike, 'outputs/job-1/task-1-0.png', { combo: 'c1', name: 'hero', ext: 'png' })).toBe(placed);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(copies)).toEqual([]);
    expect(copyPaths).toHaveLength(2);
  });
});
