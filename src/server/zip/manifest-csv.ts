/**
 * `manifest.csv` inside a ZIP download: one row per file (and per call that produced no file:
 * failed, blocked, still pending), RFC 4180 quoting, UTF-8 without a byte order mark. Text cells
 * that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading
 * apostrophe (OWASP CSV injection guidance), file names included: they derive from prompts.
 * `source_file` and `source_sha256` name the uploaded reference files a row was made from (several
 * are joined with " | "), with the SHA-256 of the bytes as uploaded, which the user can compute
 * from their own files.
 */

export const manifestColumns = ['file', 'prompt', 'seed', 'model', 'job', 'status', 'image_id', 'prompt_id', 'width', 'height', 'favorite', 'provider', 'job_name', 'created_at', 'source_file', 'source_sha256'] as const;
export type ManifestColumn = (typeof manifestColumns)[number];
export type ManifestRow = Partial<Record<ManifestColumn, string | number | boolean | undefined>>;

export function renderManifest(rows: ManifestRow[]): Buffer {
  // One string built by appending (no array per row): the manifest is rendered before a download's first byte.
  let text = `${manifestColumns.join(',')}\r\n`;
  for (const row of rows) {
    for (let index = 0; index < manifestColumns.length; index += 1) {
      if (index > 0) text += ',';
      text += csvCell(row[manifestColumns[index]!]);
    }
    text += '\r\n';
  }
  return Buffer.from(text, 'utf8');
}

/** Every text cell is guarded: file names derive from prompts, and a column added later cannot forget. */
function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
