import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliExit, exitCodeForError, exitCodes, handleCliError } from '../../src/cli/handle-cli-error.js';
import { ImagefleetError, errorCodes, type ErrorCode } from '../../src/core/errors.js';

function report(error: unknown, debug = false) {
  const written: string[] = [];
  const exitCode = handleCliError(error, { writeError: (text) => written.push(text), debug });
  return { exitCode, stderr: written.join('') };
}

const expectedExitCodes: Record<ErrorCode, number> = {
  invalid_input: 2,
  config_invalid: 2,
  storage_unavailable: 3,
  not_found: 1,
  conflict: 1,
  budget_exceeded: 1,
  canceled: 1,
  provider_rate_limited: 1,
  provider_transient: 1,
  provider_blocked: 1,
  provider_invalid: 1,
  provider_paused: 1,
  internal: 1,
  unauthorized: 1,
  forbidden: 1,
  payload_too_large: 1,
  unsupported_media_type: 1,
  unprocessable: 1,
  too_many_requests: 1,
  method_not_allowed: 1,
};

describe('handleCliError', () => {
  it.each(errorCodes)('maps %s to its exit code and prints one line', (code) => {
    const { exitCode, stderr } = report(new ImagefleetError(code, 'Something specific went wrong.'));
    expect(exitCode).toBe(expectedExitCodes[code]);
    expect(stderr).toBe('imagefleet: Something specific went wrong.\n');
  });

  it('uses the named exit codes', () => {
    expect(exitCodes).toEqual({ success: 0, failure: 1, usage: 2, storageUnavailable: 3, interrupted: 130 });
  });

  it('ends silently with the code of a CliExit (the command already reported its outcome)', () => {
    expect(report(new CliExit(1))).toEqual({ exitCode: 1, stderr: '' });
    expect(report(new CliExit(130), true)).toEqual({ exitCode: 130, stderr: '' });
  });

  it('treats commander usage errors as usage (2) and points to --help', () => {
    const { exitCode, stderr } = report(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--bogus'"));
    expect(exitCode).toBe(2);
    expect(stderr).toBe(`imagefleet: unknown option '--bogus' (run "imagefleet --help" for usage)\n`);
  });

  it('exits 0 silently after --help and --version', () => {
    expect(report(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ exitCode: 0, stderr: '' });
    expect(report(new CommanderError(0, 'commander.version', '0.1.0'))).toEqual({ exitCode: 0, stderr: '' });
  });

  it('exits 2 without a second message when help was shown for a missing command', () => {
    expect(report(new CommanderError(1, 'commander.help', '(outputHelp)'))).toEqual({ exitCode: 2, stderr: '' });
  });

  it('reports an unexpected error in one sentence without a stack trace', () => {
    const { exitCode, stderr } = report(new TypeError('Cannot read properties of undefined'));
    expect(exitCode).toBe(1);
    expect(stderr).toBe('imagefleet: unexpected error: Cannot read properties of undefined (set IMAGEFLEET_DEBUG=1 to see details)\n');
    expect(stderr).not.toContain('    at ');
  });

  it('prints the stack and causes only in debug mode', () => {
    const cause = new Error('SQLITE_CORRUPT: database disk image is malformed');
    const error = new ImagefleetError('storage_unavailable', 'The database is damaged.', { cause });
    expect(report(error).stderr).not.toContain('    at ');
    const debugOutput = report(error, true).stderr;
    expect(debugOutput).toContain('    at ');
    expect(debugOutput).toContain('Caused by:');
    expect(debugOutput).toContain('SQLITE_CORRUPT');
  });

  it('knows the exit code of anything thrown', () => {
    expect(exitCodeForError('a string')).toBe(1);
    expect(exitCodeForError(undefined)).toBe(1);
    expect(exitCodeForError(new ImagefleetError('storage_unavailable', 'x'))).toBe(3);
  });
});
