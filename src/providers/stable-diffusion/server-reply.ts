/** What the two Stable Diffusion servers' error replies have in common: the body as JSON, and the status classes. */
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';

/** The reply body as a JSON object, or its first 300 characters of text when it is not one (a proxy's page). */
export function parseErrorBody(bodyText: string): Record<string, unknown> | string {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  } catch {
    // Not JSON: the text itself is what the server said.
  }
  return bodyText.trim().slice(0, 300);
}

/** 429 → rate limited, 408/5xx → transient, other statuses → invalid, each saying what the server answered while doing what. */
export function errorForStatus(status: number, serverLabel: string, quoted: string, action: string): ImagefleetError {
  if (status === 429) return providerError('rate_limited', `${serverLabel} is busy (${quoted}) while ${action}.`);
  if (status === 408 || status >= 500) return providerError('transient', `${serverLabel} failed (${quoted}) while ${action}.`);
  return providerError('invalid', `${serverLabel} rejected the request (${quoted}) while ${action}.`);
}
