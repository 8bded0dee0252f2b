/**
 * A full disk is the data directory being unavailable (503 `storage_unavailable`), whatever raised
 * it, not a bug (500 `internal`): an upload on a full disk used to answer 500 (issue 21).
 * `/dev/full` gives a real ENOSPC from the file system.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { toImagefleetError } from '../../src/core/errors.js';
import { errorResponse } from '../../src/server/http-errors.js';
import { RecordingLogger } from '../support/recording-logger.js';

async function realDiskFullError(): Promise<unknown> {
  return writeFile('/dev/full', Buffer.alloc(1024)).then(
    () => new Error('/dev/full accepted the write'),
    (error: unknown) => error,
  );
}

describe('a full disk', () => {
  it('is storage_unavailable (503) with a JSON body that names no path, logged below error level', async () => {
    const error = await realDiskFullError();
    expect((error as { code?: string }).code).toBe('ENOSPC');
    expect(toImagefleetError(error).code).toBe('storage_unavailable');
    const logger = new RecordingLogger();
    const response = errorResponse(error, logger, 'request-1', 'POST /api/uploads');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('storage_unavailable');
    expect(body.error.message).toContain('disk');
    expect(body.error.message).not.toContain('/dev/full');
    expect(logger.lines.filter((line) => line.startsWith('error '))).toEqual([]);
  });
});
