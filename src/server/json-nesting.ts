/**
 * How deeply a JSON text nests, measured before it is parsed: `JSON.parse` and the schema checks
 * after it walk nested values recursively, and a few megabytes of `[[[[…` cost hundreds of
 * megabytes and seconds of one thread (issue 21). One pass over the characters, no allocation.
 */

/** Deepest nesting of objects and arrays an API body may have; real bodies stay under 10. */
export const maxJsonNestingDepth = 64;

/** Whether `text` opens more than `limit` objects/arrays inside each other (strings are skipped). */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index += 1;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth -= 1;
  }
  return false;
}
