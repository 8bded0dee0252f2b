/**
 * Shells word a missing record their own way (saying where to find a valid id, or which session it
 * belonged to); the operations' `not_found` says only what is missing. This swaps the message and
 * keeps the code, so exit codes and MCP errors stay the same; other errors pass through.
 */
import { ImagefleetError } from '../core/errors.js';

/** For `.catch(…)` on an operation's promise: rethrows a `not_found` with `message`, anything else as it is. */
export function relabelNotFound(message: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof ImagefleetError && error.code === 'not_found') throw new ImagefleetError('not_found', message, { cause: error });
    throw error;
  };
}
