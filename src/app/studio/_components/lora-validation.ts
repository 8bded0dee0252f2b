/** Checks the composer's LoRA rows the way the API will (name 1–200 characters, weight −5..5), before submit. */

export interface LoraDraft {
  key: string;
  name: string;
  /** As typed, so a half-typed "-" or "0." is kept while editing. */
  weightText: string;
}

export const minLoraWeight = -5;
export const maxLoraWeight = 5;

export interface LoraProblems {
  name?: string | undefined;
  weight?: string | undefined;
}

/** Problems per row key; an empty map means every row is valid. */
export function validateLoras(loras: readonly LoraDraft[]): Map<string, LoraProblems> {
  const problems = new Map<string, LoraProblems>();
  const seenNames = new Set<string>();
  for (const lora of loras) {
    const name = lora.name.trim();
    let nameProblem: string | undefined;
    if (name === '') nameProblem = 'Give the LoRA’s name as the provider lists it.';
    else if (name.length > 200) nameProblem = 'At most 200 characters.';
    else if (seenNames.has(name.toLowerCase())) nameProblem = 'This LoRA is listed twice.';
    seenNames.add(name.toLowerCase());
    const weight = loraWeight(lora.weightText);
    const weightProblem = weight === undefined ? `A number from ${minLoraWeight} to ${maxLoraWeight}, e.g. 0.8.` : undefined;
    if (nameProblem !== undefined || weightProblem !== undefined) problems.set(lora.key, { name: nameProblem, weight: weightProblem });
  }
  return problems;
}

/** The weight typed, or undefined when it is not a number within range. Empty means 1. */
export function loraWeight(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 1;
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) return undefined;
  const weight = Number(trimmed);
  return weight >= minLoraWeight && weight <= maxLoraWeight ? weight : undefined;
}
