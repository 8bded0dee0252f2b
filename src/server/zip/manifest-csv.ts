/**
 * `manifest.csv` inside a ZIP download: one row per file (and per call that produced no file:
 * failed, blocked, still pending), RFC 4180 quoting, UTF-8 without a byte order mark. Cells with
 * user text that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a
 * leading apostrophe (OWASP CSV injection guidance). `source_file` and `source_sha256` name the
 * uploaded reference files a row was made from (several are joined with " | "), with the SHA-256 of
 * the bytes as uploaded, which the user can compute from their own files.
 */

export const manifestColumns = ['file', 'prompt', 'seed', 'model', 'job', 'status', 'image_id', 'prompt_id', 'width', 'height', 'favorite', 'provider', 'job_name', 'created_at', 'source_file', 'source_sha256'] as const;
export type ManifestColumn = (typeof manifestColumns)[number];
export type ManifestRow = Partial<Record<ManifestColumn, string | number | boolean | undefined>>;

/** Columns holding user-written text, neutralised against formula injection. */
const textColumns = new Set<ManifestColumn>(['prompt', 'prompt_id', 'job_name', 'source_file']);

export function renderManifest(rows: ManifestRow[]): Buffer {
  const lines = [manifestColumns.join(',')];
  for (const row of rows) lines.push(manifestColumns.map((column) => csvCell(row[column], textColumns.has(column))).join(','));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function csvCell(value: string | number | boolean | undefined, userText: boolean): string {
  if (value === undefined) return '';
  let text = String(value);
  if (userText && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
