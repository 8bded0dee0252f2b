/**
 * Names of files inside an export (ZIP download; DESIGN §7). The path template machinery —
 * parsing, per-segment sanitising, numbered collisions — is `path-template.ts`, shared with the
 * CLI's output trees; this module adds what a download needs on top: the variables a download
 * template may use, and an allocator that keeps names unique ignoring letter case (Windows and
 * macOS file systems do), so an archive never holds `Cat.png` and `cat.png` side by side. Pure.
 */
import { ImagefleetError } from './errors.js';
import { numberedPath, parsePathTemplate, unknownTemplateNames, type PathTemplate } from './path-template.js';

/** Placeholders a download template may use. */
export const downloadTemplateVariables = [
  'prompt',
  'prompt_id',
  'seed',
  'index',
  'image',
  'job',
  'job_name',
  'group',
  'model',
  'provider',
  'date',
  'width',
  'height',
  'ext',
  'source',
  'variation',
] as const;
export type DownloadTemplateVariable = (typeof downloadTemplateVariables)[number];

/** Folders by prompt, files numbered in download order with their seed. */
export const defaultDownloadTemplate = '{prompt}/{index}_{seed}';

/**
 * Automatic-mode results under the default template: one folder per product photo, named after the
 * uploaded file, its variations numbered — so 300 results sort back to their 150 photos without
 * looking. `{source}` is the first reference's file name without its extension; `{variation}`
 * counts a source's images in download order from 1.
 */
export const defaultAutomaticDownloadTemplate = '{source}/{source}-v{variation}';

/** Longest download template accepted, in characters. */
export const maxDownloadTemplateLength = 500;

/**
 * Parses a download template and checks its placeholders. Throws `invalid_input` naming `label`
 * (e.g. `template` for a query parameter, `IMAGEFLEET_DOWNLOAD_TEMPLATE` for the configuration).
 */
export function parseDownloadTemplate(template: string, label = 'template'): PathTemplate {
  if (template.length > maxDownloadTemplateLength) {
    throw new ImagefleetError('invalid_input', `The ${label} template is longer than ${maxDownloadTemplateLength} characters.`, {
      issues: [{ path: label, message: `must be at most ${maxDownloadTemplateLength} characters` }],
    });
  }
  const parsed = parsePathTemplate(template, label);
  const unknown = unknownTemplateNames(parsed, downloadTemplateVariables);
  if (unknown.length > 0) {
    const why = `uses ${unknown.map((name) => `{${name}}`).join(', ')}, which a download does not know; known: ${downloadTemplateVariables.map((name) => `{${name}}`).join(', ')}`;
    throw new ImagefleetError('invalid_input', `The ${label} template "${template}" ${why}.`, { issues: [{ path: label, message: why }] });
  }
  return parsed;
}

/**
 * Hands out unique archive paths. Names compare case-insensitively after NFC; a taken name gets
 * `-2`, `-3`, … before its extension; folders that differ only in case are merged under their
 * first spelling. A folder never shares a name with a file. Reserve fixed names (e.g.
 * `manifest.csv`) first.
 */
export class ExportNameAllocator {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  /** First spelling of each folder, by folded path: `Cat/…` and `cat/…` share the folder `Cat`. */
  private readonly folderSpelling = new Map<string, string>();

  /** Claims an exact path; false when it (or a folder of that name) is taken. */
  reserve(relativePath: string): boolean {
    const key = fold(relativePath);
    if (this.files.has(key) || this.folders.has(key)) return false;
    const segments = relativePath.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      if (this.files.has(fold(segments.slice(0, depth).join('/')))) return false;
    }
    this.files.add(key);
    for (let depth = 1; depth < segments.length; depth += 1) {
      const folder = segments.slice(0, depth).join('/');
      this.folders.add(fold(folder));
      if (!this.folderSpelling.has(fold(folder))) this.folderSpelling.set(fold(folder), folder);
    }
    return true;
  }

  /** A unique path for `relativePath` (already sanitised), numbered when needed. */
  allocate(relativePath: string): string {
    let candidate = relativePath;
    const segments = relativePath.split('/');
    // A folder named like an existing file (only possible for reserved root files) gets a prefix.
    for (let depth = 1; depth < segments.length; depth += 1) {
      while (this.files.has(fold(segments.slice(0, depth).join('/')))) segments[depth - 1] = `_${segments[depth - 1]}`;
    }
    // Folders that differ only in case are one folder on Windows and macOS: use the first spelling.
    const folder = segments.slice(0, -1).join('/');
    const spelled = folder === '' ? undefined : this.folderSpelling.get(fold(folder));
    candidate = spelled === undefined ? segments.join('/') : `${spelled}/${segments[segments.length - 1] ?? ''}`;
    for (let attempt = 1; ; attempt += 1) {
      const numbered = numberedPath(candidate, attempt);
      if (this.reserve(numbered)) return numbered;
    }
  }
}

function fold(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
