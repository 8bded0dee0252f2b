/**
 * Checks the LoRAs of a request against the names a Stable Diffusion server lists, so a typo fails
 * the task with the list to choose from instead of silently generating without the style.
 */
import type { LoraSetting } from '../../core/job.js';
import { providerError } from '../contract.js';

/** Weights outside this range burn the image into noise on every model we know of. */
export const loraWeightRange = { minimum: -5, maximum: 5 } as const;

/** Most names quoted in an error; the rest are counted. */
const quotedNameLimit = 40;

/**
 * Throws `provider_invalid` for an unknown name or a weight out of range. `serverLabel` names the
 * server ("the web UI at http://…") in the message.
 */
export function checkLoras(loras: readonly LoraSetting[], knownNames: readonly string[], serverLabel: string): void {
  for (const [index, lora] of loras.entries()) {
    if (!Number.isFinite(lora.weight) || lora.weight < loraWeightRange.minimum || lora.weight > loraWeightRange.maximum) {
      throw providerError('invalid', `loras.${index}.weight must be a number from ${loraWeightRange.minimum} to ${loraWeightRange.maximum} (got ${lora.weight}); 1 is full strength.`);
    }
    if (!knownNames.includes(lora.name)) {
      throw providerError('invalid', `loras.${index}.name: ${serverLabel} has no LoRA "${lora.name}". ${describeKnownLoras(knownNames)}`);
    }
  }
}

/** "Known LoRAs: a, b, c." — or how to add one when there are none. */
export function describeKnownLoras(knownNames: readonly string[]): string {
  if (knownNames.length === 0) return 'It lists no LoRAs at all: put LoRA files in its models/Lora (models/loras for ComfyUI) folder and refresh.';
  const quoted = knownNames.slice(0, quotedNameLimit).join(', ');
  const more = knownNames.length > quotedNameLimit ? ` and ${knownNames.length - quotedNameLimit} more` : '';
  return `Known LoRAs: ${quoted}${more}.`;
}
