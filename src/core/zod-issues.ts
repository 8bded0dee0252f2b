import type { z } from 'zod';
import { invalidInput, type ImagefleetError } from './errors.js';

/** Turns a zod error into the project's `invalid_input` error, one issue per field. */
export function fromZodError(error: z.ZodError, summary?: string): ImagefleetError {
  return invalidInput(
    error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    summary,
  );
}
