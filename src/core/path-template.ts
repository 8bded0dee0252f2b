/**
 * Output path templates (the CLI's `--layout`, export trees): `{wardrobe}/{prompt_id}/{timestamp}-{size}.{ext}`.
 * The template's `/` separate folders; a variable's value never adds a folder, because every
 * rendered segment is sanitised on its own (reliability reference §3): separators, NUL and control
 * characters, bidi overrides and characters Windows refuses become `_`; leading dots (so no `.`,
 * `..` or hidden names), trailing dots and spaces and Windows reserved names (CON, NUL, COM1, …)
 * are neutralised; text is NFC; each segment is capped in bytes. Whatever the variables hold, the
 * result is a relative path that stays inside the output root. Pure.
 */
import { ImagefleetError } from './errors.js';
import { parsePromptTemplate, type TemplatePart } from './prompt-template.js';

/**
 * Longest segment, in UTF-8 bytes. File systems allow 255; the rest is headroom for a collision
 * suffix (`-12`) and the temporary name an atomic write uses next to the final one.
 */
export const maxSegmentBytes = 200;

export interface PathTemplate {
  /** The template as written. */
  source: string;
  /** One list of parts per path segment; the last one names the file. */
  segments: TemplatePart[][];
  /** Distinct placeholder names, in order of first use. */
  names: string[];
}

/**
 * Parses a template. Throws `invalid_input` naming `label` when it is empty, absolute, ends with
 * `/`, has a `.`/`..` segment or a malformed placeholder.
 */
export function parsePathTemplate(template: string, label = '--layout'): PathTemplate {
  const refuse = (why: string): ImagefleetError =>
    new ImagefleetError('invalid_input', `The ${label} template "${template}" ${why}.`, { issues: [{ path: label, message: why }] });
  if (template.trim() === '') throw refuse('is empty; give a relative path such as "{combo}/{prompt_id}/{seq}.{ext}"');
  if (template.startsWith('/') || /^[A-Za-z]:/.test(template) || template.includes('\\')) {
    throw refuse('must be a relative path with "/" between folders (it is placed under --out)');
  }
  if (template.endsWith('/')) throw refuse('ends with "/"; finish it with a file name such as "{seq}.{ext}"');
  let parts: TemplatePart[];
  try {
    parts = parsePromptTemplate(template, label);
  } catch (error) {
    const detail = error instanceof ImagefleetError ? (error.issues[0]?.message ?? error.message) : String(error);
    throw refuse(`is malformed: ${detail}`);
  }
  const segments: TemplatePart[][] = [[]];
  for (const part of parts) {
    if (part.kind === 'placeholder') {
      segments[segments.length - 1]!.push(part);
      continue;
    }
    const pieces = part.text.split('/');
    pieces.forEach((piece, index) => {
      if (index > 0) segments.push([]);
      if (piece !== '') segments[segments.length - 1]!.push({ kind: 'text', text: piece });
    });
  }
  const kept = segments.filter((segment) => segment.length > 0);
  for (const segment of kept) {
    if (segment.length === 1 && segment[0]!.kind === 'text' && (segment[0]!.text === '.' || segment[0]!.text === '..')) {
      throw refuse('has a "." or ".." folder; every folder must be a name');
    }
  }
  const names: string[] = [];
  for (const part of parts) if (part.kind === 'placeholder' && !names.includes(part.name)) names.push(part.name);
  return { source: template, segments: kept, names };
}

/** Placeholder names of `template` that `available` does not offer. */
export function unknownTemplateNames(template: PathTemplate, available: Iterable<string>): string[] {
  const known = new Set(available);
  return template.names.filter((name) => !known.has(name));
}

/**
 * Renders the template to a relative POSIX path, every segment sanitised. A missing variable is an
 * `internal` error: callers check names with `unknownTemplateNames` first.
 */
export function renderPathTemplate(template: PathTemplate, variables: Readonly<Record<string, string>>): string {
  return template.segments
    .map((segment) => {
      let text = '';
      for (const part of segment) {
        if (part.kind === 'text') text += part.text;
        else if (Object.hasOwn(variables, part.name)) text += variables[part.name];
        else throw new ImagefleetError('internal', `No value for {${part.name}} in the path template "${template.source}".`);
      }
      return sanitizePathSegment(text);
    })
    .join('/');
}

// Characters that cannot (or must not) appear in a name on some file system: path separators, NUL
// and other C0/C1 controls, Windows' <>:"|?*, bidi controls (a name that displays differently than
// it is) and the BOM.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const forbiddenCharacters = /[\u0000-\u001f\u007f-\u009f/\\<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
// Unpaired UTF-16 surrogates cannot be encoded in UTF-8 file names.
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Device names Windows reserves in every folder, with or without an extension.
const windowsReservedName = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/iu;
const trailingDotsAndSpaces = /[. ]+$/u;

/**
 * Makes one path segment safe on Linux, macOS and Windows: never empty, `.` or `..`, no separators
 * or control characters, no hidden name, no trailing dot or space, no reserved device name, NFC,
 * at most `maxBytes` UTF-8 bytes (the extension is kept when the name is shortened).
 */
export function sanitizePathSegment(raw: string, maxBytes = maxSegmentBytes): string {
  let text = raw.replace(loneSurrogates, '_').normalize('NFC').replace(forbiddenCharacters, '_');
  text = text.replace(/^\.+/u, (dots) => '_'.repeat(dots.length));
  text = text.replace(trailingDotsAndSpaces, '');
  if (text.trim() === '') text = '_';
  // Room for the "_" a reserved name gets.
  text = truncateUtf8(text, maxBytes - 1).replace(trailingDotsAndSpaces, '');
  if (text.trim() === '') text = '_';
  if (windowsReservedName.test(text)) text = `_${text}`;
  return text;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes on a code point boundary, keeping a short extension. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const dot = text.lastIndexOf('.');
  const extension = dot > 0 && text.length - dot <= 16 ? text.slice(dot) : '';
  const budget = maxBytes - utf8Length(extension);
  let kept = '';
  let used = 0;
  for (const codePoint of extension === '' ? text : text.slice(0, dot)) {
    const size = utf8Length(codePoint);
    if (used + size > budget) break;
    kept += codePoint;
    used += size;
  }
  return kept + extension;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const codePoint of text) {
    const value = codePoint.codePointAt(0) ?? 0;
    bytes += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * The `attempt`-th candidate name for a file whose name is taken: `a/b/name.png`, then
 * `a/b/name-2.png`, `a/b/name-3.png`, … (the suffix goes before the extension).
 */
export function numberedPath(relativePath: string, attempt: number): string {
  if (attempt <= 1) return relativePath;
  const slash = relativePath.lastIndexOf('/');
  const folder = relativePath.slice(0, slash + 1);
  const name = relativePath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${folder}${stem}-${attempt}${extension}`;
}

/** Image file extensions, lower case, without the dot. */
const imageExtensions = new Set(['png', 'jpg', 'jpeg', 'webp', 'gif', 'avif', 'heic', 'heif', 'tif', 'tiff', 'bmp']);

/**
 * Gives the file the extension of its real format: a name without an image extension gets
 * `.{extension}` appended, a wrong image extension (`.png` on JPEG bytes) is replaced. The result
 * is re-sanitised, so it still fits the byte cap.
 */
export function withImageExtension(relativePath: string, extension: string): string {
  const slash = relativePath.lastIndexOf('/');
  const folder = relativePath.slice(0, slash + 1);
  const name = relativePath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const current = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const wanted = extension.toLowerCase();
  const same = current === wanted || (current === 'jpeg' && wanted === 'jpg') || (current === 'tif' && wanted === 'tiff');
  if (same) return relativePath;
  const stem = imageExtensions.has(current) ? name.slice(0, dot) : name;
  return `${folder}${sanitizePathSegment(`${stem}.${wanted}`)}`;
}
