/**
 * Path patterns with `{name}` captures, as the CLI's `--refs` and `--prompts` take them:
 * `Combos/{wardrobe}_combo/{ui_style}_UI_Combos/{combo}/`. Each `/`-separated segment is matched
 * against one directory entry name; `{name}` captures one or more characters of it, `*` matches
 * any run of characters without capturing, `{{` and `}}` are literal braces. A trailing `/` means
 * only directories match. Pure: walking the file system is the caller's job (it asks
 * `matchSegment` about each entry name).
 */
import { ImagefleetError } from './errors.js';

/** Capture names: identifiers, so they can be used as `{name}` in prompt templates and layouts. */
export const captureNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One segment of a pattern. */
export type PatternSegment =
  /** A fixed name (also `..`); joined to the path as is. */
  | { kind: 'literal'; text: string }
  /** A segment with captures or wildcards, matched against each entry of the directory. */
  | {
      kind: 'match';
      /** The segment as written. */
      source: string;
      regex: RegExp;
      /** Capture names in group order (a name may repeat; repeats must capture equal text). */
      groupNames: string[];
      /** Whether entries whose name starts with `.` may match (only when the segment itself starts with a literal `.`). */
      matchesHidden: boolean;
    };

export interface PathPattern {
  /** The pattern as written. */
  source: string;
  /** Starts with `/`. */
  absolute: boolean;
  /** Ends with `/`: only directories match. */
  directoriesOnly: boolean;
  /** Segments, without empty and `.` ones. */
  segments: PatternSegment[];
  /** Every capture name, in order of first appearance. */
  names: string[];
}

/**
 * Parses a pattern. Throws `invalid_input` with one sentence naming `label` (e.g. `--refs`) for an
 * empty pattern, an unclosed `{`, a bad capture name, an empty capture, or `..` after a capture.
 */
export function parsePathPattern(pattern: string, label = 'pattern'): PathPattern {
  const refuse = (why: string): ImagefleetError =>
    new ImagefleetError('invalid_input', `The ${label} pattern "${pattern}" ${why}.`, { issues: [{ path: label, message: why }] });
  if (pattern.trim() === '') throw refuse('is empty; give a folder or file path, e.g. "Combos/{combo}/"');
  if (pattern.includes('\0')) throw refuse('contains a NUL character');
  const absolute = pattern.startsWith('/');
  const directoriesOnly = pattern.endsWith('/');
  const segments: PatternSegment[] = [];
  const names: string[] = [];
  let sawMatch = false;
  for (const text of pattern.split('/')) {
    if (text === '' || text === '.') continue;
    const segment = parseSegment(text, refuse);
    if (segment.kind === 'literal' && segment.text === '..' && sawMatch) {
      throw refuse('has ".." after a {name} or *; put the ".." parts first');
    }
    if (segment.kind === 'match') {
      sawMatch = true;
      for (const name of segment.groupNames) if (!names.includes(name)) names.push(name);
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw refuse('names no folder or file; give a path such as "Combos/{combo}/"');
  return { source: pattern, absolute, directoriesOnly, segments, names };
}

function parseSegment(text: string, refuse: (why: string) => ImagefleetError): PatternSegment {
  let regex = '';
  let literal = '';
  const groupNames: string[] = [];
  let dynamic = false;
  let position = 0;
  let previousWasCapture = false;
  while (position < text.length) {
    const character = text[position]!;
    const following = text[position + 1];
    if ((character === '{' && following === '{') || (character === '}' && following === '}')) {
      literal += character;
      regex += escapeRegExp(character);
      position += 2;
      previousWasCapture = false;
    } else if (character === '{') {
      const closing = text.indexOf('}', position + 1);
      if (closing < 0) throw refuse(`has an unclosed "{" in "${text}"; write "{{" for a literal brace`);
      const name = text.slice(position + 1, closing).trim();
      if (!captureNamePattern.test(name)) {
        throw refuse(`has "${text.slice(position, closing + 1)}", which is not a capture name (letters, digits and _, not starting with a digit)`);
      }
      if (previousWasCapture) throw refuse(`has two captures in a row in "${text}"; put fixed text between them so the split is clear`);
      groupNames.push(name);
      regex += '(.+?)';
      dynamic = true;
      position = closing + 1;
      previousWasCapture = true;
    } else if (character === '*') {
      regex += '.*?';
      dynamic = true;
      position += 1;
      previousWasCapture = false;
    } else {
      literal += character;
      regex += escapeRegExp(character);
      position += 1;
      previousWasCapture = false;
    }
  }
  if (!dynamic) return { kind: 'literal', text: literal };
  return { kind: 'match', source: text, regex: new RegExp(`^${regex}$`, 'su'), groupNames, matchesHidden: text.startsWith('.') };
}

/**
 * Matches one directory entry name against a segment. Returns the captured variables, or
 * `undefined` when the name does not match (a repeated capture name that captured different text
 * does not match). Hidden names (leading `.`) only match segments that start with `.`.
 */
export function matchSegment(segment: PatternSegment, name: string): Record<string, string> | undefined {
  if (segment.kind === 'literal') return segment.text === name ? {} : undefined;
  if (name.startsWith('.') && !segment.matchesHidden) return undefined;
  const match = segment.regex.exec(name);
  if (!match) return undefined;
  const captured: Record<string, string> = {};
  for (const [index, groupName] of segment.groupNames.entries()) {
    const value = match[index + 1] ?? '';
    if (Object.hasOwn(captured, groupName) && captured[groupName] !== value) return undefined;
    captured[groupName] = value;
  }
  return captured;
}

/** Merges captures of two segments; `undefined` when a name captured different text in each. */
export function mergeCaptures(left: Readonly<Record<string, string>>, right: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const merged: Record<string, string> = { ...left };
  for (const [name, value] of Object.entries(right)) {
    if (Object.hasOwn(merged, name) && merged[name] !== value) return undefined;
    merged[name] = value;
  }
  return merged;
}

/** Compares names the way people number files: `combo2` before `combo10`. */
export function compareNatural(left: string, right: string): number {
  return naturalCollator.compare(left, right) || (left < right ? -1 : left > right ? 1 : 0);
}

const naturalCollator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Short names that tell items apart: for each item (its path as segments), the fewest trailing
 * segments, joined with `/`, that no other item ends with. `a/x/c1` and `b/y/c1` become `x/c1` and
 * `y/c1`; a lone `a/x/c2` stays `c2`. Linear in the number of items times the path depth.
 */
export function shortestUniqueNames(paths: readonly (readonly string[])[]): string[] {
  const names: Array<string | undefined> = paths.map(() => undefined);
  const depth = Math.max(0, ...paths.map((segments) => segments.length));
  for (let take = 1; take <= depth && names.includes(undefined); take += 1) {
    const suffixOf = (segments: readonly string[]): string => segments.slice(Math.max(0, segments.length - take)).join('/');
    const counts = new Map<string, number>();
    for (const segments of paths) counts.set(suffixOf(segments), (counts.get(suffixOf(segments)) ?? 0) + 1);
    paths.forEach((segments, index) => {
      if (names[index] === undefined && counts.get(suffixOf(segments)) === 1) names[index] = suffixOf(segments);
    });
  }
  // Only identical paths are left: number them so the names stay unique.
  return names.map((name, index) => name ?? `${(paths[index] ?? []).join('/')}#${index + 1}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
