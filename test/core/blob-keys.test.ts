import { describe, expect, it } from 'vitest';
import { assetBlobKey, assetThumbnailKey, checkBlobKey, checkBlobPrefix, extensionFor, isOutputKey, jobBlobPrefixes, outputBlobKeys } from '../../src/core/blob-keys.js';
import { isImagefleetError } from '../../src/core/errors.js';

const sha = 'ab'.padEnd(64, '0');

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    return error.code;
  }
}

describe('blob keys (the on-disk layout of existing data directories)', () => {
  it('names assets and their thumbnails by SHA-256, fanned out by its first two characters', () => {
    expect(assetBlobKey(sha, 'image/png')).toBe(`assets/ab/${sha}.png`);
    expect(assetBlobKey(sha, 'IMAGE/JPEG')).toBe(`assets/ab/${sha}.jpg`);
    expect(assetThumbnailKey(sha)).toBe(`asset-thumbnails/ab/${sha}.webp`);
  });

  it('refuses malformed hashes and types imagefleet does not store', () => {
    for (const bad of ['0'.repeat(63), 'AB'.padEnd(64, '0'), '../../etc/passwd', '']) {
      expect(codeOf(() => assetBlobKey(bad, 'image/png')), bad).toBe('invalid_input');
      expect(codeOf(() => assetThumbnailKey(bad)), bad).toBe('invalid_input');
    }
    expect(codeOf(() => assetBlobKey(sha, 'text/html'))).toBe('invalid_input');
    expect(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif'].map(extensionFor)).toEqual(['png', 'jpg', 'webp', 'gif', 'avif']);
  });

  it('names outputs by job, task and index, so a repeat overwrites', () => {
    expect(outputBlobKeys({ jobId: 'job-1', taskId: 'task-7', index: 2, mediaType: 'image/png' })).toEqual({ fileKey: 'outputs/job-1/task-7-2.png', thumbnailKey: 'thumbnails/job-1/task-7-2.webp' });
    expect(outputBlobKeys({ jobId: 'j', taskId: 't', index: 0, mediaType: 'image/jpeg' }).fileKey).toBe('outputs/j/t-0.jpg');
  });

  it('refuses ids that would change the key', () => {
    for (const location of [
      { jobId: '../x', taskId: 'task-1', index: 0 },
      { jobId: 'job-1', taskId: 'a/b', index: 0 },
      { jobId: 'job-1', taskId: 'task-1', index: -1 },
      { jobId: 'job-1', taskId: 'task-1', index: 0.5 },
      { jobId: '', taskId: 'task-1', index: 0 },
      { jobId: 'x'.repeat(129), taskId: 'task-1', index: 0 },
    ]) {
      expect(codeOf(() => outputBlobKeys({ ...location, mediaType: 'image/png' })), JSON.stringify(location)).toBe('invalid_input');
    }
  });

  it('gives the prefixes holding a job’s files, and tells output keys apart', () => {
    expect(jobBlobPrefixes('job-1')).toEqual(['outputs/job-1/', 'thumbnails/job-1/']);
    expect(codeOf(() => jobBlobPrefixes('../job'))).toBe('invalid_input');
    expect(isOutputKey('outputs/job-1/t-0.png')).toBe(true);
    expect(isOutputKey('thumbnails/job-1/t-0.webp')).toBe(true);
    expect(isOutputKey(`assets/ab/${sha}.png`)).toBe(false);
  });

  it('accepts relative keys and refuses every key that could reach another blob', () => {
    expect(codeOf(() => checkBlobKey('outputs/job-1/task-1-0.png'))).toBeUndefined();
    for (const key of ['', '../secret', 'outputs/../../secret', 'outputs/..', '..', '/etc/passwd', 'C:/Windows/win.ini', 'C:secret', 'outputs\\..\\..\\secret', 'outputs/job-1/a\0.png', 'outputs//double', './outputs/x', 'outputs/./x', 'outputs/']) {
      expect(codeOf(() => checkBlobKey(key)), JSON.stringify(key)).toBe('invalid_input');
    }
    expect(codeOf(() => checkBlobPrefix('outputs/job-1/'))).toBeUndefined();
    for (const prefix of ['outputs/job-1', '/', '../', 'outputs//']) expect(codeOf(() => checkBlobPrefix(prefix)), prefix).toBe('invalid_input');
  });
});
