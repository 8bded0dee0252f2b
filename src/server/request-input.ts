/**
 * Reading and validating request input with the shared zod schemas: JSON bodies (size-capped,
 * content type checked), query strings and route parameters. Every failure is an `ImagefleetError`
 * whose issues name the API's own fields (`items.2.count`, `limit`, `id`).
 */
import type { z } from 'zod';
import { ImagefleetError, invalidInput, type ErrorIssue } from '../core/errors.js';
import { limitIssues } from '../core/issue-limit.js';
import { jsonNestsDeeperThan, maxJsonNestingDepth } from './json-nesting.js';

/** Largest JSON body accepted, in bytes: a 20,000-reference automatic job is well under 2 MB. */
export const maxJsonBodyBytes = 8 * 1024 * 1024;

/** Turns zod issues into API issues: dotted paths, one issue per unknown field. */
export function zodIssues(error: z.ZodError, prefix: string[] = []): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: [...path, key].join('.'), message: 'unknown field; remove it (see /api/docs for the fields this route takes)' });
    } else {
      issues.push({ path: path.join('.'), message: issue.message });
    }
  }
  return limitIssues(issues);
}

/** Validates `value` with `schema`; `invalid_input` with `summary` and the field issues otherwise. */
export function validate<Schema extends z.ZodType>(schema: Schema, value: unknown, summary: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(zodIssues(result.error), summary);
}

/**
 * Reads a JSON body (at most `maxBytes`) and validates it. `optional`: an empty body counts as `{}`
 * (routes whose body has only optional fields). 415 for another content type, 413 when too large,
 * 400 for malformed JSON, nesting deeper than `maxJsonNestingDepth` (checked before parsing) or
 * invalid fields.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  options: { maxBytes?: number; optional?: boolean } = {},
): Promise<z.output<Schema>> {
  const maxBytes = options.maxBytes ?? maxJsonBodyBytes;
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === '') {
    if (options.optional) return validate(schema, {}, 'Invalid request body');
    throw invalidInput([{ path: '', message: 'a JSON body is required' }], 'Missing request body');
  }
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new ImagefleetError('unsupported_media_type', `Send the body as JSON with "Content-Type: application/json" (got "${contentType.slice(0, 100) || 'none'}").`);
  }
  if (jsonNestsDeeperThan(text, maxJsonNestingDepth)) {
    throw invalidInput([{ path: '', message: `nests objects or arrays more than ${maxJsonNestingDepth} levels deep` }], 'Request body nested too deeply');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidInput([{ path: '', message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }], 'Malformed request body');
  }
  return validate(schema, value, 'Invalid request body');
}

/** Validates the query string (repeated names keep the last value; unknown names are refused by strict schemas). */
export function readQuery<Schema extends z.ZodType>(url: URL, schema: Schema): z.output<Schema> {
  const values: Record<string, string> = {};
  for (const [name, value] of url.searchParams) values[name] = value;
  return validate(schema, values, 'Invalid query');
}

/** Validates route parameters. */
export function readParams<Schema extends z.ZodType>(params: unknown, schema: Schema): z.output<Schema> {
  return validate(schema, params, 'Invalid path');
}

/** The body as text, refused with 413 beyond `maxBytes` (counted as it arrives, whatever Content-Length says). */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number): ImagefleetError {
  const limit = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MiB` : `${Math.round(maxBytes / 1024)} KiB`;
  return new ImagefleetError('payload_too_large', `The JSON body is larger than ${limit}; send less (split a big job into several).`);
}
