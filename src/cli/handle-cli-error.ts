/**
 * The one place that turns a CLI failure into stderr text and an exit code. Commands throw;
 * `runCli` catches and calls this. Users see one sentence, `imagefleet: <message>`; the stack only
 * with IMAGEFLEET_DEBUG=1.
 */
import { inspect } from 'node:util';
import { CommanderError } from 'commander';
import { isImagefleetError, type ErrorCode } from '../core/errors.js';

/** Process exit codes of the CLI. */
export const exitCodes = {
  success: 0,
  /** Anything not covered below. */
  failure: 1,
  /** The command line, input or configuration is wrong: fix the invocation. */
  usage: 2,
  /** The data directory or database cannot be used. */
  storageUnavailable: 3,
  /** Stopped by Ctrl-C or SIGTERM before the work was done (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/**
 * Ends a command with `exitCode` after it has already told the user the outcome on its own (a
 * session where some tasks failed exits 1 without an error line). Thrown, so `runCli` still maps
 * every ending here.
 */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

const exitCodeByErrorCode: Partial<Record<ErrorCode, number>> = {
  invalid_input: exitCodes.usage,
  config_invalid: exitCodes.usage,
  storage_unavailable: exitCodes.storageUnavailable,
};

export interface CliErrorOutput {
  /** Writes text to stderr. */
  writeError(text: string): void;
  /** Print stack traces too (IMAGEFLEET_DEBUG=1). */
  debug: boolean;
}

/** The exit code for anything a command may throw. */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CliExit) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.success : exitCodes.usage;
  if (isImagefleetError(error)) return exitCodeByErrorCode[error.code] ?? exitCodes.failure;
  return exitCodes.failure;
}

/** Reports `error` on stderr and returns the exit code to use. */
export function handleCliError(error: unknown, output: CliErrorOutput): number {
  const exitCode = exitCodeForError(error);
  const message = describeError(error);
  if (message !== undefined) output.writeError(`imagefleet: ${message}\n`);
  if (output.debug && !(error instanceof CommanderError) && !(error instanceof CliExit)) output.writeError(`${stackOf(error)}\n`);
  return exitCode;
}

/** The sentence shown to the user, or `undefined` when the output already happened (help, version). */
function describeError(error: unknown): string | undefined {
  if (error instanceof CliExit) return undefined;
  if (error instanceof CommanderError) {
    // Commander has already printed help or the version for these.
    if (error.exitCode === 0 || error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return undefined;
    return `${error.message.replace(/^error:\s*/, '')} (run "imagefleet --help" for usage)`;
  }
  if (isImagefleetError(error)) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message} (set IMAGEFLEET_DEBUG=1 to see details)`;
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    lines.push(depth === 0 ? '' : 'Caused by:', current instanceof Error ? (current.stack ?? current.message) : inspect(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((line) => line !== '').join('\n');
}
