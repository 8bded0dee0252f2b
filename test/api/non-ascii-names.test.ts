/**
 * Names from every script through upload, group, ZIP and manifest (issue 14, items 1, 2 and 6):
 * what curl, browsers and Python see, checked with readers we did not write.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import contentDisposition from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleDownload } from '../../src/server/download-handler.js';
import { handleCreateGroup } from '../../src/server/group-handlers.js';
import { handleListUploads, handleUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, completedJob, expectJson, openApiHarness, pngBytes, python, uploadRequest, type ApiHarness } from './api-harness.js';

/** Latin-1, CJK, emoji, a decomposed accent (combining mark), right-to-left scripts. */
export const nonAsciiNames = {
  latin1: 'Café Ëlïse über',
  cjk: '日本の写真',
  emoji: '🐱 cat 👍🏽',
  combining: 'Cafe\u0301 nai\u0308ve',
  rightToLeft: 'שלום عربي',
};

/** Python's zipfile: entry names and the manifest's file and prompt cells. */
const readZip = `
import csv, io, json, sys, zipfile
archive = zipfile.ZipFile(sys.argv[1])
assert archive.testzip() is None
rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
print(json.dumps({"names": archive.namelist(), "rows": [{"file": row["file"], "prompt": row["prompt"]} for row in rows]}))
`;

describe('non-ASCII names', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await openApiHarness();
  });
  afterAll(async () => harness.close());

  const download = (groupId: string, query = '') => call(handleDownload, apiRequest(`/api/download/${groupId}${query}`), { groupId });

  it.each(Object.entries(nonAsciiNames))('downloads a group named in %s with an ASCII-only header that readers decode exactly', async (_script, name) => {
    const group = await expectJson<{ id: string; name: string }>(await call(handleCreateGroup, apiRequest('/api/groups', { json: { name } })), 201);
    const response = await download(group.id);
    expect(response.status).toBe(200);
    const header = response.headers.get('content-disposition')!;
    // Node refuses any other byte in a header value (the 500 of issue 14).
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    const expected = `${name.normalize('NFC')}.zip`;
    // jshttp's parser (Express's) prefers filename*, as browsers do.
    expect(contentDisposition.parse(header).parameters.filename).toBe(expected);
    // The quoted fallback stays readable for clients that ignore filename*.
    if (name === nonAsciiNames.latin1) expect(header).toContain('filename="Cafe Elise uber.zip"');
  });

  it('keeps UTF-8 upload names as sent by browsers, curl and requests', async () => {
    for (const name of [...Object.values(nonAsciiNames), 'café']) {
      const uploaded = await expectJson<{ id: string; name: string }>(await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(name.length * 11), `${name}.png`)), 201);
      expect(uploaded.name).toBe(`${name}.png`.normalize('NFC'));
    }
    const listed = await expectJson<{ items: Array<{ name: string }> }>(await call(handleListUploads, apiRequest('/api/uploads?limit=100')), 200);
    expect(listed.items.map((item) => item.name)).toContain('café.png');
  });

  it('names ZIP entries and manifest cells in every script, and guards file cells against formulas', async () => {
    const group = await expectJson<{ id: string }>(await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'Scripts ✨' } })), 201);
    const prompts = [...Object.values(nonAsciiNames), '=HYPERLINK("http://evil.example","x")'];
    await completedJob(harness, { prompts, count: 1, groupId: group.id, seed: 1 });
    const response = await download(group.id, `?template=${encodeURIComponent('{prompt}/{group}')}`);
    const file = path.join(harness.directory, 'scripts.zip');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    const result = python(readZip, [file]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { names: string[]; rows: Array<{ file: string; prompt: string }> };
    for (const name of Object.values(nonAsciiNames)) {
      const entry = report.names.find((entryName) => entryName.normalize('NFC').startsWith(`${name.normalize('NFC')}/Scripts ✨`));
      expect(entry, `${name} in ${report.names.join(' | ')}`).toBeDefined();
      expect(report.rows.map((row) => row.file)).toContain(entry);
    }
    const formulaRow = report.rows.find((row) => row.prompt.includes('HYPERLINK'))!;
    expect(formulaRow.prompt.startsWith("'=")).toBe(true);
    expect(formulaRow.file.startsWith("'")).toBe(true);
    expect(report.rows.every((row) => !/^[=+\-@]/.test(row.file))).toBe(true);
  });
});
