/**
 * Validates a job's `providerOptions` for a Stable Diffusion provider against its zod schema. Every
 * problem is reported at once, each naming the option, what is allowed and what was sent; an
 * unknown option is refused (with the known ones) because a misspelt `cfgScale` silently ignored
 * would make every image of a batch differ from what was asked.
 */
import type { z } from 'zod';
import { providerError } from '../contract.js';

export function readProviderOptions<Schema extends z.ZodType>(schema: Schema, raw: Record<string, unknown> | undefined, providerName: string, knownOptions: readonly string[]): z.output<Schema> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${issue.keys.map((key) => `providerOptions.${key}`).join(', ')}: not ${providerName} option${issue.keys.length > 1 ? 's' : ''} (known: ${knownOptions.join(', ')})`;
    }
    const path = ['providerOptions', ...issue.path.map(String)].join('.');
    const sent = issue.path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), raw);
    return `${path} ${issue.message} (got ${JSON.stringify(sent) ?? 'undefined'})`;
  });
  throw providerError('invalid', `Bad ${providerName} provider options: ${problems.join('; ')}.`);
}
