/** The MCP error mapping: project codes kept with their message, issues and a hint; anything else hidden as `internal`. */
import { describe, expect, it } from 'vitest';
import { errorCodes, ImagefleetError } from '../../src/core/errors.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { toolErrorContent, toolErrorResult } from '../../src/mcp/tool-error.js';

describe('MCP tool errors', () => {
  it.each(errorCodes.filter((code) => code !== 'internal'))('keeps %s with its message and a hint', (code) => {
    const content = toolErrorContent(new ImagefleetError(code, 'What is wrong and how to fix it.', { issues: [{ path: 'count', message: 'too many' }], retryAfterMs: 1500 }));
    expect(content).toEqual({ code, message: 'What is wrong and how to fix it.', hint: expect.any(String) as unknown, issues: [{ path: 'count', message: 'too many' }], retry_after_seconds: 2 });
    expect(content.hint.length).toBeGreaterThan(10);
  });

  it('answers anything unexpected as internal without its detail, and logs it', () => {
    const logger = new RecordingLogger();
    const result = toolErrorResult(new Error('SQLITE_CORRUPT at /secret/path'), logger, 'get_status');
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ code: 'internal', issues: [] });
    expect(JSON.stringify(result)).not.toContain('/secret/path');
    expect(logger.lines.some((line) => line.startsWith('error MCP tool failed unexpectedly'))).toBe(true);
  });
});
