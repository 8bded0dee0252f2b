/**
 * Turns `--refs` and `--prompts` patterns into combos and prompts by walking the file system, and
 * checks every input before anything is written: a pattern that matches nothing, a prompt folder
 * without prompt files, an empty or unreadable prompt, an unreadable or non-image reference, a
 * reserved capture name. Each problem is one sentence naming the path and the fix (`invalid_input`).
 */
import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImagefleetError } from '../../core/errors.js';
import { captureNamePattern, compareNatural, matchSegment, mergeCaptures, parsePathPattern, shortestUniqueNames, type PathPattern } from '../../core/path-pattern.js';
import { checkImageDecodes, readImageHeader } from '../../imaging/image-header.js';
import { maxReferencePixels } from '../../imaging/reference-image.js';
import type { PatternSource } from './generation-options.js';
import { usage } from './generation-options.js';

/** A combo: one folder of references (or one reference file). */
export interface ResolvedCombo {
  /** Unique short name (the folder name, or enough of its path to tell it apart). */
  id: string;
  /** Path relative to the working directory, `/`-separated. */
  relative: string;
  /** Absolute reference image paths, in natural order. */
  references: string[];
  /** Captured from the path, plus a `combo.json`'s fields. */
  variables: Record<string, string>;
  /** Text of the folder's `combo.md`, or empty. */
  description: string;
}

export interface ResolvedPrompt {
  /** Unique short name: the file name without extension (or enough of its path to tell it apart). */
  id: string;
  /** Path relative to the working directory; undefined for `--prompt TEXT`. */
  relative: string | undefined;
  text: string;
  /** Captured from the path, and `prompt_id` (the file name without extension). */
  variables: Record<string, string>;
}

/** File extensions taken as reference images in a combo folder (lower case). */
export const referenceExtensions = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.heic', '.heif', '.avif', '.tif', '.tiff'];
/** File extensions taken as prompts. */
export const promptExtensions = ['.md', '.txt'];

/**
 * Variable names the CLI itself defines (prompt text, layout built-ins, log fields); a pattern may
 * not capture them. `combo` and `prompt_id` may be captured: the capture is then what they mean.
 */
export const reservedVariableNames = [
  'prompt',
  'prompt_file',
  'combo_path',
  'combo_description',
  'set',
  'index',
  'session',
  'seq',
  'timestamp',
  'date',
  'size',
  'aspect',
  'seed',
  'ext',
  'image',
  'provider',
  'model',
];

interface PatternMatch {
  absolute: string;
  isDirectory: boolean;
  captures: Record<string, string>;
}

/** Finds every combo the `--refs` patterns match. Without patterns: one combo without references. */
export async function resolveCombos(sources: readonly PatternSource[], cwd: string): Promise<ResolvedCombo[]> {
  if (sources.length === 0) return [{ id: 'none', relative: '', references: [], variables: {}, description: '' }];
  const seen = new Set<string>();
  const found: Array<Omit<ResolvedCombo, 'id'> & { isDirectory: boolean; absolute: string }> = [];
  for (const source of sources) {
    const pattern = parseChecked(source.pattern, '--refs');
    const matches = await expandPattern(pattern, source.baseDir, '--refs');
    for (const match of matches) {
      if (seen.has(match.absolute)) continue;
      seen.add(match.absolute);
      const relative = relativePath(cwd, match.absolute);
      if (match.isDirectory) {
        const references = await listFiles(match.absolute, referenceExtensions);
        if (references.length === 0) {
          throw usage(`The combo folder ${relative} has no reference images (${referenceExtensions.join(', ')}); add some, or narrow the --refs pattern "${source.pattern}" so it skips this folder.`);
        }
        const { variables, description } = await readComboDescription(match.absolute, relative);
        found.push({ absolute: match.absolute, isDirectory: true, relative, references, variables: { ...match.captures, ...variables }, description });
      } else {
        if (!hasExtension(match.absolute, referenceExtensions)) {
          throw usage(`The --refs pattern "${source.pattern}" matches ${relative}, which is not an image (${referenceExtensions.join(', ')}); narrow the pattern, e.g. end it with ".png".`);
        }
        found.push({ absolute: match.absolute, isDirectory: false, relative, references: [match.absolute], variables: { ...match.captures }, description: '' });
      }
    }
  }
  const ids = shortestUniqueNames(found.map((combo) => segmentsOf(combo.relative, !combo.isDirectory)));
  return found.map((combo, index) => ({
    id: ids[index]!,
    relative: combo.relative,
    references: combo.references,
    variables: combo.variables,
    description: combo.description,
  }));
}

/** Finds every prompt the `--prompts` patterns match, plus the inline `--prompt TEXT`. */
export async function resolvePrompts(sources: readonly PatternSource[], inline: string | undefined, cwd: string): Promise<ResolvedPrompt[]> {
  if (sources.length === 0 && inline === undefined) {
    throw usage('Nothing to generate: give prompt files with --prompts PATTERN (e.g. --prompts "prompts/") or a prompt with --prompt TEXT.');
  }
  const seen = new Set<string>();
  const files: Array<{ absolute: string; captures: Record<string, string> }> = [];
  for (const source of sources) {
    const pattern = parseChecked(source.pattern, '--prompts');
    for (const match of await expandPattern(pattern, source.baseDir, '--prompts')) {
      const relative = relativePath(cwd, match.absolute);
      let found: string[];
      if (match.isDirectory) {
        found = await listFiles(match.absolute, promptExtensions);
        if (found.length === 0) {
          throw usage(`The prompt folder ${relative} has no prompt files (${promptExtensions.join(', ')}); add some, or narrow the --prompts pattern "${source.pattern}" so it skips this folder.`);
        }
      } else if (hasExtension(match.absolute, promptExtensions)) {
        found = [match.absolute];
      } else {
        throw usage(`The --prompts pattern "${source.pattern}" matches ${relative}, which is not a prompt file (${promptExtensions.join(', ')}); rename it or narrow the pattern.`);
      }
      for (const file of found) {
        if (seen.has(file)) continue;
        seen.add(file);
        files.push({ absolute: file, captures: match.captures });
      }
    }
  }
  const prompts: Array<Omit<ResolvedPrompt, 'id'>> = [];
  for (const file of files) {
    const relative = relativePath(cwd, file.absolute);
    const text = stripBom(await readText(file.absolute, `prompt file ${relative}`)).trim();
    if (text === '') throw usage(`The prompt file ${relative} is empty; write the prompt in it or remove the file.`);
    // {prompt_id} is the file name without extension (two catalogs may both have a hero.md);
    // the prompt's id stays unique for the plan. A pattern capturing {prompt_id} itself wins.
    prompts.push({ relative, text, variables: { prompt_id: path.basename(file.absolute, path.extname(file.absolute)), ...file.captures } });
  }
  const paths = prompts.map((prompt) => segmentsOf(prompt.relative ?? '', true));
  if (inline !== undefined) {
    if (inline.trim() === '') throw usage('--prompt is empty; give the prompt text or leave the flag out.');
    prompts.push({ relative: undefined, text: inline.trim(), variables: {} });
    paths.push(['prompt']);
  }
  const ids = shortestUniqueNames(paths);
  return prompts.map((prompt, index) => ({ ...prompt, id: ids[index]! }));
}

/** Reads the `--prompt-template` file; one sentence when it cannot be read or is empty. */
export async function readPromptTemplate(file: string, cwd: string): Promise<string> {
  const relative = relativePath(cwd, file);
  const text = stripBom(await readText(file, `prompt template ${relative}`)).trim();
  if (text === '') throw usage(`The prompt template ${relative} is empty; write the text to send (with {prompt} where the prompt goes) or leave --prompt-template out.`);
  return text;
}

/**
 * Checks that every reference is a readable image imagefleet accepts, by its content, without
 * storing anything. Runs a few checks at a time.
 */
export async function checkReferences(files: readonly string[], cwd: string): Promise<void> {
  const queue = [...new Set(files)];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) await checkReference(file, relativePath(cwd, file));
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
}

const acceptedFormats = new Set(['png', 'jpeg', 'webp', 'heif', 'gif', 'tiff']);

async function checkReference(file: string, relative: string): Promise<void> {
  try {
    const handle = await open(file, 'r');
    await handle.close();
  } catch (error) {
    throw usage(`Cannot read the reference ${relative} (${systemReason(error)}); fix its permissions or remove it from the combo.`);
  }
  let format: string | undefined;
  let pixels = 0;
  try {
    const metadata = await readImageHeader(file);
    format = metadata.format;
    pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  } catch {
    throw usage(`The reference ${relative} is not an image imagefleet can read (PNG, JPEG, WebP, HEIC, GIF or TIFF); replace it or remove it from the combo.`);
  }
  if (format === undefined || !acceptedFormats.has(format)) {
    throw usage(`The reference ${relative} is a ${format ?? 'unknown'} file; use PNG, JPEG, WebP, HEIC, GIF or TIFF, or remove it from the combo.`);
  }
  if (pixels > maxReferencePixels) {
    throw usage(`The reference ${relative} has ${pixels.toLocaleString('en-US')} pixels, over the ${maxReferencePixels / 1_000_000}-megapixel limit; downscale it or remove it from the combo.`);
  }
  // The header alone passes for a cut-off file; decoding every pixel (streamed: stats keeps no
  // image in memory) finds it here, before the plan is shown, instead of at import time.
  try {
    await checkImageDecodes(file);
  } catch {
    throw usage(`The reference ${relative} is truncated or corrupt (its ${format} data ends early or does not decode); export it again or remove it from the combo.`);
  }
}

function parseChecked(pattern: string, flag: string): PathPattern {
  const parsed = parsePathPattern(pattern, flag);
  for (const name of parsed.names) {
    if (reservedVariableNames.includes(name)) {
      throw usage(`The ${flag} pattern "${pattern}" captures {${name}}, a name imagefleet reserves (${reservedVariableNames.join(', ')}); rename the capture.`);
    }
  }
  return parsed;
}

/** Walks the file system segment by segment; one sentence naming the segment that matched nothing. */
async function expandPattern(pattern: PathPattern, baseDir: string, flag: string): Promise<PatternMatch[]> {
  let current: PatternMatch[] = [{ absolute: pattern.absolute ? path.parse(baseDir).root : baseDir, isDirectory: true, captures: {} }];
  for (const [index, segment] of pattern.segments.entries()) {
    const last = index === pattern.segments.length - 1;
    const next: PatternMatch[] = [];
    for (const parent of current) {
      if (segment.kind === 'literal') {
        const candidate = path.join(parent.absolute, segment.text);
        const isDirectory = await directoryOrFile(candidate);
        if (isDirectory === undefined || (!last && !isDirectory)) continue;
        next.push({ absolute: candidate, isDirectory, captures: parent.captures });
        continue;
      }
      for (const entry of await readDirectory(parent.absolute, flag, pattern.source)) {
        const captured = matchSegment(segment, entry.name);
        if (!captured) continue;
        const captures = mergeCaptures(parent.captures, captured);
        if (!captures) continue;
        const candidate = path.join(parent.absolute, entry.name);
        const isDirectory = entry.isSymbolicLink() ? await directoryOrFile(candidate) : entry.isDirectory();
        if (isDirectory === undefined || (!last && !isDirectory)) continue;
        next.push({ absolute: candidate, isDirectory, captures });
      }
    }
    if (next.length === 0) {
      const where = current.length === 1 ? relativePath(baseDir, current[0]!.absolute) || '.' : `${current.length} folders`;
      const what = segment.kind === 'literal' ? `"${segment.text}"` : `"${segment.source}"`;
      throw usage(`The ${flag} pattern "${pattern.source}" matches nothing: no ${what} in ${where}; check the path (relative paths start at ${baseDir}).`);
    }
    current = next;
  }
  const matches = pattern.directoriesOnly ? current.filter((match) => match.isDirectory) : current;
  if (matches.length === 0) {
    throw usage(`The ${flag} pattern "${pattern.source}" ends with "/" but matches only files; drop the "/" to use the files.`);
  }
  return matches;
}

async function readDirectory(directory: string, flag: string, pattern: string): Promise<Dirent[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.sort((left, right) => compareNatural(left.name, right.name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw usage(`Cannot list ${directory} for the ${flag} pattern "${pattern}" (${systemReason(error)}); fix its permissions.`);
  }
}

/** True for a directory, false for a file, undefined when missing or neither. Follows links. */
async function directoryOrFile(candidate: string): Promise<boolean | undefined> {
  try {
    const info = await stat(candidate);
    return info.isDirectory() ? true : info.isFile() ? false : undefined;
  } catch {
    return undefined;
  }
}

/** The reference images directly in a folder, natural order. */
export function imagesInFolder(directory: string): Promise<string[]> {
  return listFiles(directory, referenceExtensions);
}

/** Non-hidden files with one of `extensions` directly in `directory`, natural order. */
async function listFiles(directory: string, extensions: readonly string[]): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((left, right) => compareNatural(left.name, right.name))) {
    if (entry.name.startsWith('.') || !hasExtension(entry.name, extensions)) continue;
    const candidate = path.join(directory, entry.name);
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await directoryOrFile(candidate)) === false);
    if (isFile) files.push(candidate);
  }
  return files;
}

/** A combo folder's optional `combo.md` (its description) and `combo.json` (more variables). */
async function readComboDescription(directory: string, relative: string): Promise<{ variables: Record<string, string>; description: string }> {
  const variables: Record<string, string> = {};
  let description = '';
  const markdown = path.join(directory, 'combo.md');
  if ((await directoryOrFile(markdown)) === false) description = stripBom(await readText(markdown, `${relative}/combo.md`)).trim();
  const json = path.join(directory, 'combo.json');
  if ((await directoryOrFile(json)) === false) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripBom(await readText(json, `${relative}/combo.json`)));
    } catch (error) {
      if (error instanceof ImagefleetError) throw error;
      throw usage(`${relative}/combo.json is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it or remove it.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw usage(`${relative}/combo.json must hold a JSON object of names and values, e.g. {"style": "studio"}.`);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (!captureNamePattern.test(name) || reservedVariableNames.includes(name)) {
        throw usage(`${relative}/combo.json has the key "${name}", which cannot be a variable (letters, digits and _; not ${reservedVariableNames.join(', ')}); rename it.`);
      }
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') variables[name] = String(value);
      else if (name === 'description') continue;
      else throw usage(`${relative}/combo.json: "${name}" must be text, a number or true/false to be usable as {${name}}.`);
    }
    if (description === '' && typeof variables.description === 'string') description = variables.description;
  }
  return { variables, description };
}

async function readText(file: string, label: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw usage(`Cannot read the ${label} (${systemReason(error)}); fix its permissions or path.`);
  }
}

function hasExtension(file: string, extensions: readonly string[]): boolean {
  return extensions.includes(path.extname(file).toLowerCase());
}

/** `a/b/file.png` → ['a', 'b', 'file'] (the extension dropped for files). */
function segmentsOf(relative: string, isFile: boolean): string[] {
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (isFile && segments.length > 0) {
    const last = segments[segments.length - 1]!;
    const extension = path.extname(last);
    if (extension !== '' && extension !== last) segments[segments.length - 1] = last.slice(0, -extension.length);
  }
  return segments;
}

/** `to` relative to `from`, with `/` separators. */
export function relativePath(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EISDIR') return 'it is a folder';
  return code ?? (error instanceof Error ? error.message : String(error));
}
