/**
 * The one place that writes `Content-Disposition` (RFC 6266 with RFC 8187 for non-ASCII names).
 *
 * A header value must hold visible ASCII only: Node refuses other bytes at write time (a 500 after
 * the archive's headers were decided), and clients disagree on how to read Latin-1. So the quoted
 * `filename` is always an ASCII fallback (accents dropped, other characters as `_`), and any name
 * that is not plain ASCII also travels exact as `filename*=UTF-8''…`, which every current browser,
 * curl (`-J`) and Python's `email` parser prefer.
 */

/** `attachment` (save) or `inline` (show in the browser). */
export type DispositionType = 'attachment' | 'inline';

/** The header value for `fileName`, sanitised by `safeFileName` first. */
export function contentDisposition(type: DispositionType, fileName: string): string {
  const name = safeFileName(fileName);
  const fallback = asciiFallback(name);
  const header = `${type}; filename="${fallback}"`;
  return fallback === name ? header : `${header}; filename*=UTF-8''${encodeRfc8187(name)}`;
}

/**
 * A file name safe for a header: control and format characters (including bidirectional
 * overrides), path separators and quotes removed, at most 150 characters.
 */
export function safeFileName(name: string): string {
  const clean = name
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[/\\"<>:|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 150);
  return clean === '' ? 'download' : clean;
}

/** Visible ASCII: letters lose their accents (é → e), anything else becomes `_`. */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/[\\"%]/g, '_');
  return ascii.replace(/^[\s.]+|[\s.]+$/g, '') || 'download';
}

/** RFC 8187 `value-chars`: attr-char kept, every other UTF-8 byte percent-encoded. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}
