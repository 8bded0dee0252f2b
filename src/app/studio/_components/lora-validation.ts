/**
 * Checks the composer's LoRA rows the way the API and the provider will, before submit: name 1–200
 * characters and one the chosen provider lists (`GET /api/providers` → `loras`), weight −5..5 (the
 * range of `src/providers/stable-diffusion/lora-check.ts`, which a unit test keeps in step).
 */

export interface LoraDraft {
  key: string;
  name: string;
  /** As typed, so a half-typed "-" or "0." is kept while editing. */
  weightText: string;
}

export const minLoraWeight = -5;
export const maxLoraWeight = 5;

/** Most known names quoted in a reason; the picker offers all of them. */
const quotedNameLimit = 6;

export interface LoraProblems {
  name?: string | undefined;
  weight?: string | undefined;
}

/**
 * Problems per row key; an empty map means every row is valid. `knownNames` is the provider's list;
 * undefined skips that check (the list has not arrived yet, and the provider checks again anyway).
 */
export function validateLoras(loras: readonly LoraDraft[], knownNames?: readonly string[]): Map<string, LoraProblems> {
  const problems = new Map<string, LoraProblems>();
  const seenNames = new Set<string>();
  for (const lora of loras) {
    const name = lora.name.trim();
    let nameProblem: string | undefined;
    if (name === '') nameProblem = 'Give the LoRA’s name as the provider lists it.';
    else if (name.length > 200) nameProblem = 'At most 200 characters.';
    else if (seenNames.has(name.toLowerCase())) nameProblem = 'This LoRA is listed twice.';
    else if (knownNames !== undefined && !knownNames.includes(name)) nameProblem = unknownNameReason(name, knownNames);
    seenNames.add(name.toLowerCase());
    const weight = loraWeight(lora.weightText);
    const weightProblem = weight === undefined ? `A number from ${minLoraWeight} to ${maxLoraWeight}, e.g. 0.8.` : undefined;
    if (nameProblem !== undefined || weightProblem !== undefined) problems.set(lora.key, { name: nameProblem, weight: weightProblem });
  }
  return problems;
}

/** Why a name is refused, with the spelling the server uses when only case or extension differ. */
function unknownNameReason(name: string, knownNames: readonly string[]): string {
  if (knownNames.length === 0) return `“${name}”: this server lists no LoRAs. Put LoRA files in its LoRA folder, then refresh the list.`;
  const stem = (candidate: string) => candidate.toLowerCase().replace(/\.(safetensors|ckpt|pt)$/, '');
  const close = knownNames.find((candidate) => stem(candidate) === stem(name));
  if (close !== undefined) return `“${name}” is not on this server’s list: did you mean “${close}”?`;
  const quoted = knownNames.slice(0, quotedNameLimit).join(', ');
  const more = knownNames.length > quotedNameLimit ? ` and ${knownNames.length - quotedNameLimit} more` : '';
  return `“${name}” is not on this server’s list (${quoted}${more}). Check the spelling, or refresh the list if you just added it.`;
}

/** The weight typed, or undefined when it is not a number within range. Empty means 1. */
export function loraWeight(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 1;
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) return undefined;
  const weight = Number(trimmed);
  return weight >= minLoraWeight && weight <= maxLoraWeight ? weight : undefined;
}
