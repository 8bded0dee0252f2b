/**
 * Settings Gemini has no field for. The planner already drops or refuses them for jobs; a request
 * that still carries one (a direct caller) gets a plain warning instead of a silent drop.
 */
import type { GenerateRequest } from '../contract.js';

export function unsupportedSettingWarnings(request: GenerateRequest): string[] {
  const warnings: string[] = [];
  if (request.mask) warnings.push('mask: Gemini has no inpainting mask — ignored');
  if (request.negativePrompt) warnings.push('negativePrompt: Gemini has no negative prompt — ignored');
  if (request.loras && request.loras.length > 0) warnings.push('loras: Gemini has no LoRAs — ignored');
  if (request.strength !== undefined) warnings.push('strength: Gemini has no img2img strength — ignored');
  return warnings;
}
