import type { Lane } from './job.js';

/**
 * The unit that rate limits, concurrency, holds and model pauses apply to: one model of one
 * provider, in one lane. Its text form is what the store keys rows by — `provider:model` for the
 * online lane and `provider:model@batch` for the batch lane — so existing data keeps its meaning.
 * This module is the only place that builds or parses that text.
 */
export interface LimitKey {
  /** Provider id, e.g. `gemini`. Never contains `:`. */
  readonly providerId: string;
  /** Model id as the provider names it; may itself contain `:` (the first `:` splits). */
  readonly modelId: string;
  /** `online` (synchronous calls) or `batch` (remote batch jobs, limited apart). */
  readonly lane: Lane;
}

/** Suffix the batch lane's key carries after `provider:model`. */
const batchSuffix = '@batch';

/** A limit key for `providerId`'s `modelId` in `lane` (default online). */
export function limitKey(providerId: string, modelId: string, lane: Lane = 'online'): LimitKey {
  return { providerId, modelId, lane };
}

/** The jobs' `provider:model` (the model's online key), whatever the lane. */
export function providerKeyText(providerId: string, modelId: string): string {
  return `${providerId}:${modelId}`;
}

/** The stored text form: `provider:model`, or `provider:model@batch` for the batch lane. */
export function limitKeyText(key: LimitKey): string {
  const base = providerKeyText(key.providerId, key.modelId);
  return key.lane === 'batch' ? `${base}${batchSuffix}` : base;
}

/**
 * Reads the text form back. `undefined` for text that is not a model key (e.g. a bare provider
 * id, which is a provider-wide pause scope, not a limit key).
 */
export function parseLimitKey(text: string): LimitKey | undefined {
  const lane: Lane = text.endsWith(batchSuffix) ? 'batch' : 'online';
  const base = lane === 'batch' ? text.slice(0, -batchSuffix.length) : text;
  const separator = base.indexOf(':');
  if (separator <= 0 || separator === base.length - 1) return undefined;
  return { providerId: base.slice(0, separator), modelId: base.slice(separator + 1), lane };
}

/** The lane a limit key's text belongs to (`online` for anything without the batch suffix). */
export function laneOfLimitKeyText(text: string): Lane {
  return text.endsWith(batchSuffix) ? 'batch' : 'online';
}

/**
 * Every scope whose pause or hold stops a job of `providerId`'s `modelId`: the whole provider
 * (bad key), the model online, and the model's batch lane.
 */
export function pauseScopesOf(providerId: string, modelId: string): string[] {
  return [providerId, limitKeyText(limitKey(providerId, modelId, 'online')), limitKeyText(limitKey(providerId, modelId, 'batch'))];
}
