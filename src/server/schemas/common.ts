/** Schemas shared by several routes: ids, timestamps, the error body. */
import { z } from 'zod';
import { errorCodes } from '../../core/errors.js';

/** An id in a path or body: what imagefleet hands out (UUIDs), with room for other stores' ids. */
export const idSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'must be an id as the API returned it (letters, digits, "-" and "_")' });

/** `{ id }` route parameters. */
export const idParamsSchema = z.strictObject({ id: idSchema.describe('The id the API returned when the resource was created.') });

/** ISO 8601 time in UTC. */
export const timestampSchema = z.string().describe('ISO 8601 time, UTC, e.g. 2026-11-21T10:15:30.123Z.');

/** A query flag: `1`/`true` or `0`/`false`. */
export const flagSchema = z
  .enum(['1', '0', 'true', 'false'], { error: 'must be 1, 0, true or false' })
  .transform((value) => value === '1' || value === 'true');

export const issueSchema = z.object({
  path: z.string().describe('Dotted path of the field, e.g. items.0.count; empty for the whole input.'),
  message: z.string().describe('What is wrong and how to fix it.'),
});

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).describe('Stable machine-readable code; the HTTP status follows from it.'),
      message: z.string().describe('One or two sentences for people, saying what to change.'),
      details: z
        .object({
          issues: z.array(issueSchema).optional().describe('One entry per bad field (validation errors).'),
          retryAfterSeconds: z.number().int().optional().describe('When to try again (429, 503); also in the Retry-After header.'),
        })
        .optional(),
    }),
  })
  .meta({
    id: 'Error',
    description: 'Every error answer has this shape.',
    example: { error: { code: 'invalid_input', message: 'Invalid request body: items.0.count: must be a whole number from 1 to 1000', details: { issues: [{ path: 'items.0.count', message: 'must be a whole number from 1 to 1000' }] } } },
  });

/** Milliseconds since the epoch → ISO string. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** `?cursor=` of a paged list: the previous page's `nextCursor`, unchanged. */
export const pageCursorQuerySchema = z.string().max(500).optional().describe('nextCursor of the previous page.');

/** `?limit=` of a paged list: a whole number from 1 to `maximum` (`what` per page; `defaultValue` when absent). */
export function pageLimitQuerySchema(options: { maximum: number; defaultValue: number; what: string }) {
  const requirement = `must be a whole number from 1 to ${options.maximum}`;
  return z
    .string()
    .regex(/^\d+$/, { error: requirement })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: requirement }).max(options.maximum, { error: requirement }))
    .optional()
    .describe(`${options.what} per page, 1 to ${options.maximum}. Default ${options.defaultValue}.`)
    // The query text is digits; the document says what they mean, so clients and fuzzers see the range.
    .meta({ type: 'integer', minimum: 1, maximum: options.maximum, default: options.defaultValue } as Record<string, unknown>);
}

/** An id list in a query: ids as the API returned them, separated by commas (the documented form). */
export const idListPattern = '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}(,[A-Za-z0-9][A-Za-z0-9_-]{0,127})*$';

/** A UUID-shaped example id for the document's examples (they must pass the id pattern). */
export const exampleId = (seed: number): string => `${(0x5d0c5a3e + seed).toString(16).padStart(8, '0')}-7c1b-4e2a-9f3d-${(0x1a2b3c4d5e6f + seed).toString(16).padStart(12, '0')}`;
